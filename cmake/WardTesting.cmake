# SPDX-License-Identifier: MIT
# Test registration. Every test binary is registered explicitly with a CTest label for its kind:
# unit, fuzz, component, qt, tpm, qemu, bochs, e2e. A binary that lists no tests fails.

set(WARD_TEST_KINDS unit fuzz component qt tpm qemu bochs e2e)
set(WARD_TEST_ENV
    "ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
    "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/lsan.supp:print_suppressions=0"
    "WARD_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
    "WARD_BINARY_DIR=${CMAKE_BINARY_DIR}")

function(_ward_check_label LABEL)
    if(NOT LABEL IN_LIST WARD_TEST_KINDS)
        message(FATAL_ERROR "test label '${LABEL}' is not one of: ${WARD_TEST_KINDS}")
    endif()
endfunction()

function(_ward_test_properties NAME LABEL TIMEOUT)
    if(NOT TIMEOUT)
        set(TIMEOUT 300)
    endif()
    set_tests_properties(${NAME} PROPERTIES LABELS ${LABEL} TIMEOUT ${TIMEOUT}
                         ENVIRONMENT "${WARD_TEST_ENV}")
endfunction()

# ward_add_gtest(NAME LABEL unit|component|tpm|e2e SOURCES ... LIBS ... [TIMEOUT s] [ENV k=v ...])
# Builds a GoogleTest binary and registers it as one CTest test. The runner first lists the
# binary's tests and fails if there are none, so a broken binary never reports success.
function(ward_add_gtest NAME)
    cmake_parse_arguments(A "" "LABEL;TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
    if(NOT A_LABEL)
        set(A_LABEL unit)
    endif()
    _ward_check_label(${A_LABEL})
    add_executable(${NAME} ${A_SOURCES})
    target_link_libraries(${NAME} PRIVATE ward_hosted GTest::gtest GTest::gmock GTest::gtest_main
                                          ${A_LIBS})
    if(WARD_FUZZ) # the fuzz tree builds only fuzz targets; the target exists for callers' options
        set_target_properties(${NAME} PROPERTIES EXCLUDE_FROM_ALL ON)
        return()
    endif()
    add_test(NAME ${NAME} COMMAND ${CMAKE_SOURCE_DIR}/cmake/run-gtest.sh $<TARGET_FILE:${NAME}>)
    _ward_test_properties(${NAME} ${A_LABEL} "${A_TIMEOUT}")
    if(A_ENV)
        set_property(TEST ${NAME} APPEND PROPERTY ENVIRONMENT ${A_ENV})
    endif()
endfunction()

# ward_add_qttest(NAME SOURCES ... LIBS ... [XVFB]) : a QtTest binary, offscreen unless XVFB.
function(ward_add_qttest NAME)
    cmake_parse_arguments(A "XVFB" "TIMEOUT" "SOURCES;LIBS;ENV" ${ARGN})
    add_executable(${NAME} ${A_SOURCES})
    target_link_libraries(${NAME} PRIVATE ward_hosted Qt6::Test ${A_LIBS})
    set_target_properties(${NAME} PROPERTIES AUTOMOC ON)
    if(WARD_FUZZ)
        set_target_properties(${NAME} PROPERTIES EXCLUDE_FROM_ALL ON)
        return()
    endif()
    set(platform offscreen)
    if(A_XVFB)
        set(platform xcb)
    endif()
    add_test(NAME ${NAME} COMMAND ${CMAKE_SOURCE_DIR}/cmake/run-qttest.sh ${platform}
                                  $<TARGET_FILE:${NAME}>)
    _ward_test_properties(${NAME} qt "${A_TIMEOUT}")
    set_property(TEST ${NAME} APPEND PROPERTY ENVIRONMENT "LANG=C.UTF-8" ${A_ENV})
endfunction()

# ward_add_script_test(NAME LABEL kind COMMAND cmd args... [TIMEOUT s] [DEPENDS targets])
# A test driven by a script (boot tests, end-to-end runs). The script must fail on anything
# but a positive result; a script that skips exits 77 and says why.
function(ward_add_script_test NAME)
    cmake_parse_arguments(A "" "LABEL;TIMEOUT" "COMMAND;ENV" ${ARGN})
    _ward_check_label(${A_LABEL})
    add_test(NAME ${NAME} COMMAND ${A_COMMAND})
    _ward_test_properties(${NAME} ${A_LABEL} "${A_TIMEOUT}")
    set_tests_properties(${NAME} PROPERTIES SKIP_RETURN_CODE 77)
    if(A_ENV)
        set_property(TEST ${NAME} APPEND PROPERTY ENVIRONMENT ${A_ENV})
    endif()
endfunction()

# ward_add_fuzz(NAME SOURCES ... LIBS ... CORPUS dir)
# The harness defines LLVMFuzzerTestOneInput. With WARD_FUZZ (clang) it is a libFuzzer binary
# that `make fuzz-smoke` runs for WARD_FUZZ_SECONDS; in the normal build it is linked with a
# replay driver and run over its seed corpus under the sanitizers. Both carry the label fuzz.
add_custom_target(ward_fuzz_all)
function(ward_add_fuzz NAME)
    cmake_parse_arguments(A "" "CORPUS" "SOURCES;LIBS" ${ARGN})
    if(NOT A_CORPUS OR NOT IS_DIRECTORY ${A_CORPUS})
        message(FATAL_ERROR "fuzz target ${NAME}: CORPUS directory '${A_CORPUS}' missing")
    endif()
    if(WARD_FUZZ)
        add_executable(${NAME} ${A_SOURCES})
        target_link_libraries(${NAME} PRIVATE ward_hosted ${A_LIBS})
        target_link_options(${NAME} PRIVATE -fsanitize=fuzzer)
        add_dependencies(ward_fuzz_all ${NAME})
        set(work ${CMAKE_CURRENT_BINARY_DIR}/${NAME}.corpus)
        add_test(NAME ${NAME}
                 COMMAND ${CMAKE_SOURCE_DIR}/cmake/run-fuzz.sh $<TARGET_FILE:${NAME}>
                         ${WARD_FUZZ_SECONDS} ${work} ${A_CORPUS})
        _ward_test_properties(${NAME} fuzz 120)
    else()
        add_executable(${NAME} ${A_SOURCES} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cpp)
        target_link_libraries(${NAME} PRIVATE ward_hosted ${A_LIBS})
        add_test(NAME ${NAME}.replay COMMAND ${NAME} ${A_CORPUS})
        _ward_test_properties(${NAME}.replay fuzz 120)
    endif()
endfunction()

# ward_add_benchmark(NAME SOURCES ... LIBS ...): a Google Benchmark binary (not a test).
function(ward_add_benchmark NAME)
    cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
    add_executable(${NAME} ${A_SOURCES})
    target_link_libraries(${NAME} PRIVATE ward_hosted benchmark::benchmark ${A_LIBS})
    if(WARD_FUZZ)
        set_target_properties(${NAME} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
endfunction()
