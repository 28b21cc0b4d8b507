# Where a clean build spends its time: every translation unit parses fmt (used header-only,
# Debian ships no libfmt.a) and most parse Boost.Asio, and each instantiates and emits the same
# templates again. A unity build compiles WGS_UNITY_BATCH sources of a library as one
# translation unit, so those headers are parsed and their templates emitted once per batch.
# Editing one file recompiles its batch; developers who prefer one TU per file pass
# -DWGS_UNITY=OFF. ccache (top CMakeLists) caches unity batches like any other TU.
option(WGS_UNITY "Unity builds of the libraries behind wgsidecar and contacts-api" ON)
set(WGS_UNITY_BATCH 16 CACHE STRING "sources per unity batch")

# wgs_unity(TARGET): compile TARGET's sources in unity batches when WGS_UNITY is on.
function(wgs_unity target)
  if(WGS_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${WGS_UNITY_BATCH})
  endif()
endfunction()
