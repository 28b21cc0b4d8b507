# The health endpoints over loopback: a driver serving a made-up snapshot, and curl.
add_executable(health_driver ${CMAKE_CURRENT_LIST_DIR}/health_driver.cpp)
target_link_libraries(health_driver PRIVATE wgsidecar_core wgs_warnings)
wgs_link_executable(health_driver)
add_test(NAME health COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/health_test.sh $<TARGET_FILE:health_driver>)
wgs_label(unit health)
