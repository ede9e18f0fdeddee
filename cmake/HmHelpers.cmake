# hm_library(<layer> SOURCES ... DEPS ...): one library per src/<layer> folder, target hm_<layer>.
# Dependencies must follow the layer graph in docs/architecture.md (checked by scripts/check-layers).
set(HM_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough)
if(HM_WERROR)
  list(APPEND HM_WARNINGS -Werror)
endif()

if(HM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(HM_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(hm_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  string(REPLACE "/" "_" name "${layer}")
  add_library(hm_${name} STATIC ${ARG_SOURCES})
  target_include_directories(hm_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(hm_${name} PRIVATE ${HM_WARNINGS})
  target_link_libraries(hm_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# hm_test(<name> SOURCES ... DEPS ...): a GoogleTest binary, its cases registered with CTest.
function(hm_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT HM_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${HM_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    HM_SOURCE_DIR="${PROJECT_SOURCE_DIR}" HM_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "unit;${ARG_LABELS}")
endfunction()

# hm_fuzz(<name> SOURCES ... DEPS ...): a libFuzzer target, built only in the fuzz preset.
function(hm_fuzz name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT HM_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY HM_FUZZ_TARGETS ${name})
endfunction()
