# Every dependency as an imported target. With WGS_STATIC the binaries link fully
# statically: Debian ships libsodium.a, libssl.a, libcrypto.a and libcares.a; libpq
# comes from WGS_DEPS_PREFIX (built by scripts/build-static-deps.sh); fmt is used
# header-only because Debian ships no libfmt.a.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(doctest REQUIRED)

add_library(wgs_fmt INTERFACE)
target_compile_definitions(wgs_fmt INTERFACE FMT_HEADER_ONLY)

# wgs_static_or_shared(target pkg-config-module ARCHIVES archive... [LIBS item...])
# Static: the archives in link order (each before the archives it calls into), then LIBS
# (targets or flags they need). Shared: the pkg-config module.
function(wgs_static_or_shared target pkg)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "ARCHIVES;LIBS")
  add_library(${target} INTERFACE)
  if(WGS_STATIC)
    foreach(archive IN LISTS arg_ARCHIVES)
      if(NOT EXISTS "${archive}")
        message(FATAL_ERROR "${archive} is missing: run scripts/setup.sh "
                            "(or configure with -DWGS_STATIC=OFF for a dynamic build)")
      endif()
    endforeach()
    target_link_libraries(${target} INTERFACE ${arg_ARCHIVES} ${arg_LIBS})
  else()
    pkg_check_modules(${target}_pc REQUIRED IMPORTED_TARGET ${pkg})
    target_link_libraries(${target} INTERFACE PkgConfig::${target}_pc)
  endif()
endfunction()

# Static glibc keeps pthread and dl inside libc.a, but these archives call into them, so
# each names Threads (and libcrypto the dl library) instead of relying on the executable.
set(_multiarch /usr/lib/x86_64-linux-gnu)
wgs_static_or_shared(wgs_sodium libsodium ARCHIVES ${_multiarch}/libsodium.a LIBS Threads::Threads)
wgs_static_or_shared(wgs_ssl openssl ARCHIVES ${_multiarch}/libssl.a ${_multiarch}/libcrypto.a
  LIBS Threads::Threads ${CMAKE_DL_LIBS})
wgs_static_or_shared(wgs_cares libcares ARCHIVES ${_multiarch}/libcares.a)
# libpq calls libpgcommon (SCRAM, encodings, the getaddrinfo wrapper); both call libpgport
# (snprintf, path and user look-up helpers); all three call OpenSSL. Nothing calls back up.
wgs_static_or_shared(wgs_pq libpq
  ARCHIVES ${WGS_DEPS_PREFIX}/lib/libpq.a ${WGS_DEPS_PREFIX}/lib/libpgcommon.a ${WGS_DEPS_PREFIX}/lib/libpgport.a
  LIBS wgs_ssl Threads::Threads)
if(WGS_STATIC)
  target_include_directories(wgs_pq SYSTEM INTERFACE ${WGS_DEPS_PREFIX}/include)
endif()

# Applied to each final executable.
function(wgs_link_executable target)
  if(WGS_STATIC)
    target_link_options(${target} PRIVATE -static)
  endif()
endfunction()
