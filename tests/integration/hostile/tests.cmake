# What an attacker or a tired operator feeds wgsidecar: bytes that are not UTF-8 and control
# characters in the environment, a server on the database's port that answers garbage, and
# the logs read by a machine. Each runs wgsidecar in namespaces of its own (root).
add_test(NAME hostile_bytes COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/bytes_test.sh $<TARGET_FILE:wgsidecar>)
add_test(NAME logs COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/logs_test.sh $<TARGET_FILE:wgsidecar>)
add_test(NAME check_garbage COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/garbage_test.sh $<TARGET_FILE:wgsidecar>)
set_tests_properties(hostile_bytes logs PROPERTIES SKIP_RETURN_CODE 77 LABELS lab)
set_tests_properties(check_garbage PROPERTIES TIMEOUT 600 LABELS lab)
