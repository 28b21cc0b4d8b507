# The health endpoints over loopback: a driver serving a made-up snapshot, curl, a slowloris
# client and promtool; and SIDECAR_HEALTH_ADDR's forms and failures in a network namespace.
add_executable(health_driver ${CMAKE_CURRENT_LIST_DIR}/health_driver.cpp)
target_link_libraries(health_driver PRIVATE wgsidecar_core wgs_warnings)
wgs_link_executable(health_driver)
add_test(NAME health COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/health_test.sh $<TARGET_FILE:health_driver>)
wgs_label(unit health)

add_executable(slowloris ${CMAKE_CURRENT_LIST_DIR}/slowloris.cpp)
target_link_libraries(slowloris PRIVATE Boost::headers Threads::Threads wgs_warnings)
add_test(NAME health_slowloris COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/slowloris_test.sh
         $<TARGET_FILE:health_driver> $<TARGET_FILE:slowloris>)
set_tests_properties(health_slowloris PROPERTIES TIMEOUT 120)
wgs_label(unit health_slowloris)

# promtool (Debian: prometheus) over a real /metrics body; skipped (77) without it.
add_test(NAME health_promtool COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/promtool_test.sh $<TARGET_FILE:health_driver>)
wgs_label(unit health_promtool)

# Dual stack, fly-local-6pn from /etc/hosts, and `run`'s exit codes for an address it cannot
# serve: in network and mount namespaces of their own (root; skipped with 77 otherwise).
add_test(NAME health_listen COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/listen_test.sh
         $<TARGET_FILE:health_driver> $<TARGET_FILE:wgsidecar>)
wgs_label(lab health_listen)
