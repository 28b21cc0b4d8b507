# What each test needs, as ctest LABELS, so the suite runs in parts
# (`ctest -L unit`, `scripts/test.sh unit lab`):
#   unit    no root, seconds: doctest programs and the CLI, health and compose checks
#   lab     root and network namespaces (tests/lab/lab.sh), or PostgreSQL run as its user
#   kernel  kernel WireGuard under qemu (tests/kernel)
#   image   the image under podman (tests/image)
#   fuzz    clang and libFuzzer (tests/fuzz)
# A test that cannot run on this machine prints why and exits 77 (tests/lib/skip.sh): every
# test declares that as its SKIP_RETURN_CODE, so ctest counts a skip, not a failure.
set(WGS_TEST_LABELS unit lab kernel image fuzz)

# wgs_declare_tests(): gives every test of the calling directory SKIP_RETURN_CODE 77 and
# checks its labels; a test without one of WGS_TEST_LABELS is labelled `lab` (it may need
# root) with a warning, so it still runs in the full suite. Call it last in a directory.
function(wgs_declare_tests)
  get_property(tests DIRECTORY PROPERTY TESTS)
  foreach(test IN LISTS tests)
    get_test_property(${test} LABELS labels)
    set(known "")
    foreach(label IN LISTS labels)
      if(label IN_LIST WGS_TEST_LABELS)
        set(known ${label})
      endif()
    endforeach()
    if(NOT known)
      message(AUTHOR_WARNING "test ${test} has none of the labels ${WGS_TEST_LABELS}: labelled lab")
      if(labels)
        list(APPEND labels lab)
      else()
        set(labels lab)
      endif()
    endif()
    set_tests_properties(${test} PROPERTIES SKIP_RETURN_CODE 77 LABELS "${labels}")
  endforeach()
endfunction()

# wgs_label(LABEL TEST...): label tests by what they need.
function(wgs_label label)
  set_tests_properties(${ARGN} PROPERTIES LABELS ${label})
endfunction()
