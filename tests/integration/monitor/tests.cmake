# The monitor and the health endpoints of `wgsidecar run` in the netns lab (needs root):
# faults healed under a running app, staleness the edge cannot see locally, /readyz and
# /status, and how a supervised run ends. One lab prefix per script (mon1- .. mon4-), so
# the entries may run in parallel.
foreach(wgs_monitor_test monitor_heal monitor_stale health_readyz monitor_lifecycle)
  add_test(NAME ${wgs_monitor_test}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/${wgs_monitor_test}_test.sh $<TARGET_FILE:wgsidecar>)
  set_tests_properties(${wgs_monitor_test} PROPERTIES TIMEOUT 240 LABELS "lab;monitor")
endforeach()
