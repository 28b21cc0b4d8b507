# The fleet: single peers of a running device, the enrollment protocol end to end, and
# `wgsidecar hub` with several edges behind one NAT (needs root; real wireguard-go and `wg`).
add_test(NAME fleet_peers COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/peers_test.sh $<TARGET_FILE:uapi_driver>)
set_tests_properties(fleet_peers PROPERTIES TIMEOUT 120 LABELS lab SKIP_RETURN_CODE 77)
