# The image under podman (needs root, podman, runc; makes debian:bookworm with debootstrap
# when absent, cached in /var/cache/wgsidecar-image; 77 without podman). `image` packs the
# binaries this build made; `image_from_source` builds them inside the image's build stage and
# is skipped (77) unless WGS_IMAGE_FROM_SOURCE=1, because a cold build there takes long.
add_test(NAME image COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/image_test.sh
         $<TARGET_FILE:wgsidecar> $<TARGET_FILE:contacts-api>)
set_tests_properties(image PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77 LABELS image RESOURCE_LOCK podman)
add_test(NAME image_from_source COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/image_test.sh --from-source)
set_tests_properties(image_from_source PROPERTIES TIMEOUT 3600 SKIP_RETURN_CODE 77 RUN_SERIAL TRUE LABELS image)
# docker/compose.yaml run by compose_lab.py (podman-compose 1.0.3 cannot start it): every
# service up on internal networks of the test's own, contacts-api through the tunnel, down.
add_test(NAME compose COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/compose_test.sh
         $<TARGET_FILE:wgsidecar> $<TARGET_FILE:contacts-api>)
set_tests_properties(compose PROPERTIES TIMEOUT 1200 SKIP_RETURN_CODE 77 LABELS image RESOURCE_LOCK podman)
# The compose file's structure and references, without an engine (compose_lab.py checks the
# same before it starts anything).
add_test(NAME compose_config COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/compose_check.py
         ${CMAKE_SOURCE_DIR}/docker/compose.yaml)
wgs_label(unit compose_config)
