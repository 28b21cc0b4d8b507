# The tunnel's secrets against the app (needs root and the netns lab): a hostile app as root
# and as SIDECAR_APP_USER tries every channel; what the app and wireguard-go inherit, and
# what outlives a killed supervisor. One lab prefix per entry, so they may run in parallel.
add_executable(hostile_probe ${CMAKE_CURRENT_LIST_DIR}/hostile_probe.cpp)
target_link_libraries(hostile_probe PRIVATE wgsidecar_core wgs_warnings)
wgs_link_executable(hostile_probe)
foreach(wgs_hostile_mode root user)
  add_test(NAME hostile_app_${wgs_hostile_mode}
           COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/hostile_app_test.sh $<TARGET_FILE:wgsidecar>
                   $<TARGET_FILE:hostile_probe> ${wgs_hostile_mode})
endforeach()
add_test(NAME inheritance COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/inheritance_test.sh $<TARGET_FILE:wgsidecar>
                                  $<TARGET_FILE:hostile_probe>)
set_tests_properties(hostile_app_root hostile_app_user inheritance PROPERTIES
                     TIMEOUT 240 LABELS lab SKIP_RETURN_CODE 77)
