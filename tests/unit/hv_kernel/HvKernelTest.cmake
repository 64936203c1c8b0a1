# ward_hv_kernel_gtest(NAME SOURCES .. [LIBS ..]) : a unit test (GoogleTest) built from the
# hypervisor kernel's own sources with hv_kernel_test's fakes (this folder: fake_kernel.cpp, on
# the include path as well). Include this file from a tests/unit/* CMakeLists.txt.
#
# The kernel sources are taken from the ward-hv target itself, minus the files that drive the
# machine directly (boot, physical memory, the scheduler loop, self-tests) and minus arch/,
# platform/ and rt/ — fake_kernel.cpp stands in for those. New kernel files are picked up
# automatically; if one calls into an excluded file, add a fake for it in fake_kernel.cpp.
# The test links the hosted twins of the freestanding libraries the image links
# (hv_core_fs -> hv_core, ...), then LIBS.
set(WARD_HV_KERNEL_FAKES ${CMAKE_CURRENT_LIST_DIR})

function(ward_hv_kernel_gtest NAME)
    cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
    get_target_property(hv_sources ward-hv SOURCES)
    get_target_property(hv_source_dir ward-hv SOURCE_DIR)
    set(kernel_sources "")
    foreach(src IN LISTS hv_sources)
        if(NOT IS_ABSOLUTE ${src})
            set(src ${hv_source_dir}/${src})
        endif()
        cmake_path(NORMAL_PATH src)
        cmake_path(GET src FILENAME name)
        if(src MATCHES "/hypervisor/kernel/[^/]+\\.cpp$"
           AND NOT name MATCHES "^(main|memory|scheduler|self_test)\\.cpp$")
            list(APPEND kernel_sources ${src})
        endif()
    endforeach()

    get_target_property(hv_libs ward-hv LINK_LIBRARIES)
    set(hosted_libs ward_hv_includes)
    foreach(lib IN LISTS hv_libs)
        # Two steps: in one if(), ${CMAKE_MATCH_1} would be expanded before MATCHES sets it.
        if(lib MATCHES "^(.+)_fs$")
            set(hosted ${CMAKE_MATCH_1})
            if(TARGET ${hosted})
                list(APPEND hosted_libs ${hosted})
            endif()
        endif()
    endforeach()

    ward_add_gtest(${NAME} LABEL unit
        SOURCES ${A_SOURCES} ${WARD_HV_KERNEL_FAKES}/fake_kernel.cpp ${kernel_sources}
                ${CMAKE_SOURCE_DIR}/hypervisor/arch/error_name.cpp
        LIBS ${hosted_libs} ${A_LIBS})
    target_include_directories(${NAME} PRIVATE ${WARD_HV_KERNEL_FAKES})
endfunction()
