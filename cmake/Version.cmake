# The version string: the project version plus the git description when built from a checkout.
execute_process(COMMAND git describe --always --dirty
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE WGS_GIT_DESCRIBE
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(WGS_GIT_DESCRIBE)
  set(WGS_VERSION "${PROJECT_VERSION}+${WGS_GIT_DESCRIBE}")
else()
  set(WGS_VERSION "${PROJECT_VERSION}")
endif()
configure_file(${CMAKE_SOURCE_DIR}/cmake/version.hpp.in ${CMAKE_BINARY_DIR}/generated/wgs/version.hpp @ONLY)
