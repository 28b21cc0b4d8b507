# The fleet: single peers of a running device, the enrollment protocol end to end, and
# `wgsidecar hub` with several edges behind one NAT (needs root; real wireguard-go and `wg`).
add_test(NAME fleet_peers COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/peers_test.sh $<TARGET_FILE:uapi_driver>)
set_tests_properties(fleet_peers PROPERTIES TIMEOUT 120 LABELS lab SKIP_RETURN_CODE 77)

# Seals one enrollment request for the replay test.
add_executable(enroll_driver ${CMAKE_CURRENT_LIST_DIR}/enroll_driver.cpp)
target_link_libraries(enroll_driver PRIVATE wgsidecar_core wgs_warnings)
wgs_link_executable(enroll_driver)

# A fleet on the seed's secrets through `wgsidecar hub`: three machines behind one NAT serve
# with zero failures, leave, are pruned, survive a hub restart; garbage, floods, a replay, a
# wrong token or hub key. FLEET_SECONDS (default 30) is the round-robin's length.
add_test(NAME fleet COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/fleet_test.sh $<TARGET_FILE:wgsidecar>
         $<TARGET_FILE:contacts-api> $<TARGET_FILE:enroll_driver>)
# Five machines on a token at once; a shared key named by hub and edge; a plain WireGuard hub.
add_test(NAME fleet_modes COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/fleet_modes_test.sh $<TARGET_FILE:wgsidecar>
         $<TARGET_FILE:contacts-api>)
set_tests_properties(fleet fleet_modes PROPERTIES TIMEOUT 400 LABELS lab SKIP_RETURN_CODE 77)

