# SPDX-License-Identifier: MIT
# Compiler flag sets as interface libraries. Link exactly one of ward_hosted / ward_freestanding.

add_library(ward_warnings INTERFACE)
target_compile_options(ward_warnings INTERFACE -Wall -Wextra -Werror)

# Hosted flavour: user-space services, tools and tests. Sanitizers in Debug (or for fuzzing).
add_library(ward_hosted INTERFACE)
target_link_libraries(ward_hosted INTERFACE ward_warnings)
if(WARD_FUZZ)
    target_compile_options(ward_hosted INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                 -fno-omit-frame-pointer -g)
    target_link_options(ward_hosted INTERFACE -fsanitize=address,undefined)
elseif(WARD_SANITIZE AND CMAKE_BUILD_TYPE STREQUAL "Debug")
    target_compile_options(ward_hosted INTERFACE -fsanitize=address,undefined
                                                 -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(ward_hosted INTERFACE -fsanitize=address,undefined)
endif()

# Freestanding flavour: the hypervisor. No C or C++ runtime, no exceptions, no RTTI, no red zone,
# no SSE. Anything that needs libc or libstdc++ fails to link (see ward_freestanding_executable).
# Optimised even in Debug builds: unoptimised boot code costs hundreds of milliseconds under TCG.
# clang's -mgeneral-regs-only rejects libstdc++ headers that mention long double, so clang gets
# the equivalent explicit list.
set(WARD_FREESTANDING_FLAGS
    -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
    -fno-stack-protector -fno-asynchronous-unwind-tables -fno-unwind-tables -mno-red-zone
    $<IF:$<CXX_COMPILER_ID:Clang>,-mno-sse;-mno-sse2;-mno-mmx;-mno-avx,-mgeneral-regs-only>
    -fno-pic -fno-pie -fno-builtin -fno-common -O2)
add_library(ward_freestanding INTERFACE)
target_link_libraries(ward_freestanding INTERFACE ward_warnings)
target_compile_options(ward_freestanding INTERFACE ${WARD_FREESTANDING_FLAGS})
target_compile_definitions(ward_freestanding INTERFACE WARD_FREESTANDING=1)

# Pure logic built twice from the same sources:
#   NAME      hosted static library (sanitizers in Debug), for tests and host tools
#   NAME_fs   freestanding static library, for the hypervisor image
# HOSTED_SOURCES / FREESTANDING_SOURCES hold the few flavour-specific definitions (panic, say).
# Both are built without exceptions and RTTI so they behave alike.
function(ward_dual_library NAME)
    cmake_parse_arguments(A "" "" "SOURCES;HOSTED_SOURCES;FREESTANDING_SOURCES;INCLUDES;DEPS" ${ARGN})
    add_library(${NAME} STATIC ${A_SOURCES} ${A_HOSTED_SOURCES})
    target_include_directories(${NAME} PUBLIC ${A_INCLUDES})
    target_compile_options(${NAME} PRIVATE -fno-exceptions -fno-rtti)
    target_link_libraries(${NAME} PUBLIC ward_hosted)
    add_library(${NAME}_fs STATIC ${A_SOURCES} ${A_FREESTANDING_SOURCES})
    target_include_directories(${NAME}_fs PUBLIC ${A_INCLUDES})
    target_link_libraries(${NAME}_fs PUBLIC ward_freestanding)
    foreach(dep IN LISTS A_DEPS)
        target_link_libraries(${NAME} PUBLIC ${dep})
        target_link_libraries(${NAME}_fs PUBLIC ${dep}_fs)
    endforeach()
endfunction()

# A freestanding executable linked with no runtime at all: -nostdlib -static, so a stray libc or
# libstdc++ symbol (abort, memcpy from a missing definition, operator new, __cxa_*) is an
# undefined reference and the link fails.
function(ward_freestanding_executable NAME)
    cmake_parse_arguments(A "" "LINKER_SCRIPT" "SOURCES;LIBS" ${ARGN})
    add_executable(${NAME} ${A_SOURCES})
    target_link_libraries(${NAME} PRIVATE ward_freestanding ${A_LIBS})
    target_link_options(${NAME} PRIVATE -nostdlib -static -no-pie -Wl,--no-undefined
                        -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none)
    if(A_LINKER_SCRIPT)
        target_link_options(${NAME} PRIVATE -T ${A_LINKER_SCRIPT})
        set_target_properties(${NAME} PROPERTIES LINK_DEPENDS ${A_LINKER_SCRIPT})
    endif()
endfunction()

# Adds every immediate subdirectory that has a CMakeLists.txt, in name order.
function(ward_add_subdirectories)
    file(GLOB children LIST_DIRECTORIES true CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
         ${CMAKE_CURRENT_SOURCE_DIR}/*)
    list(SORT children)
    foreach(child IN LISTS children)
        if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
            add_subdirectory(${child})
        endif()
    endforeach()
endfunction()
