# Every dependency as an imported target. With WGS_STATIC the binaries link fully
# statically: Debian ships libsodium.a, libssl.a and libcrypto.a; libpq and libmnl
# come from WGS_DEPS_PREFIX (built by scripts/build-static-deps.sh); fmt is used
# header-only because Debian ships no libfmt.a.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(doctest REQUIRED)

add_library(wgs_fmt INTERFACE)
target_compile_definitions(wgs_fmt INTERFACE FMT_HEADER_ONLY)

function(wgs_static_or_shared target static_lib pkg)
  add_library(${target} INTERFACE)
  if(WGS_STATIC)
    if(NOT EXISTS "${static_lib}")
      message(FATAL_ERROR "${static_lib} is missing: run scripts/setup.sh "
                          "(or configure with -DWGS_STATIC=OFF for a dynamic build)")
    endif()
    target_link_libraries(${target} INTERFACE "${static_lib}" ${ARGN})
  else()
    pkg_check_modules(${target}_pc REQUIRED IMPORTED_TARGET ${pkg})
    target_link_libraries(${target} INTERFACE PkgConfig::${target}_pc)
  endif()
endfunction()

set(_multiarch /usr/lib/x86_64-linux-gnu)
wgs_static_or_shared(wgs_sodium ${_multiarch}/libsodium.a libsodium)
wgs_static_or_shared(wgs_ssl ${_multiarch}/libssl.a openssl ${_multiarch}/libcrypto.a)
wgs_static_or_shared(wgs_cares ${_multiarch}/libcares.a libcares)
wgs_static_or_shared(wgs_mnl ${WGS_DEPS_PREFIX}/lib/libmnl.a libmnl)
wgs_static_or_shared(wgs_pq ${WGS_DEPS_PREFIX}/lib/libpq.a libpq
  ${WGS_DEPS_PREFIX}/lib/libpgcommon.a ${WGS_DEPS_PREFIX}/lib/libpgport.a wgs_ssl)
if(WGS_STATIC)
  target_include_directories(wgs_pq SYSTEM INTERFACE ${WGS_DEPS_PREFIX}/include)
  target_include_directories(wgs_mnl SYSTEM INTERFACE ${WGS_DEPS_PREFIX}/include)
endif()

# Applied to each final executable.
function(wgs_link_executable target)
  if(WGS_STATIC)
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
