# The MTU black hole in the netns lab (issue #4): `check` names it, `WG_MTU=probe up` fixes it.
add_test(NAME mtu COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/mtu_test.sh $<TARGET_FILE:wgsidecar>)
wgs_label(lab mtu)
