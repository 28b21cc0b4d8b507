#!/usr/bin/env python3
"""Runs a compose file's services with podman, where no compose engine can: Debian 12's
podman-compose 1.0.3 stops at docker/compose.yaml's per-network `ipv4_address` (fixed in
podman-compose 1.0.4), and there is no Docker engine. Each service becomes one `podman run`
with the flags the Compose specification means; depends_on conditions are waited for
(service_completed_successfully with `podman wait`, service_healthy by running the service's
healthcheck with `podman healthcheck run`, since podman's own timers need systemd).

Usage:
  compose_lab.py FILE up   [--project NAME] [--image SERVICE=IMAGE]... [--isolated]
  compose_lab.py FILE down [--project NAME]

  --project    names containers PROJECT-SERVICE, networks and volumes PROJECT_NAME
               (default: the file's `name`)
  --image      use IMAGE for SERVICE instead of building it (e.g. an image already built from
               prebuilt binaries with the same Dockerfile)
  --isolated   every network internal (no route off the machine, not even for "underlay"), no
               published ports, no DNS servers: the containers talk only among themselves

A key this runner does not carry out is an error, never silently dropped. Exit 0 once every
service is up (and its conditions met), 1 with the reason otherwise.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import yaml  # noqa: E402

import compose_check  # noqa: E402

PODMAN = ["podman", "--runtime", "runc"]
LABEL = "io.wgsidecar.compose.project"
# What podman needs on this kind of host: builds reach the Debian mirror through the host's
# network; containers get limits runc accepts here.
BUILD_FLAGS = ["--pull=never", "--network=host", "--format", "docker"]
RUN_FLAGS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
# Keys with no effect on a lab run.
IGNORED_KEYS = {"expose", "profiles"}


class LabError(Exception):
    pass


def podman(*args, capture=False, check=True):
    result = subprocess.run(PODMAN + list(args), text=True, capture_output=capture)
    if check and result.returncode != 0:
        detail = (result.stderr or "").strip() if capture else ""
        raise LabError(f"podman {' '.join(args[:2])} failed ({result.returncode}) {detail}".strip())
    return result


def seconds(text, default):
    """Compose durations: "1m30s", "500ms", "5s"."""
    if text is None:
        return default
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        raise LabError(f"{text!r} is not a compose duration")
    return sum(float(n) * units[u] for n, u in parts)


def as_pairs(value, separator="="):
    """A mapping, or a list of "KEY=VALUE" strings, as (key, value) pairs."""
    if isinstance(value, dict):
        return [(k, "" if v is None else str(v)) for k, v in value.items()]
    return [tuple(item.split(separator, 1)) if separator in item else (item, "") for item in value or []]


def as_args(value):
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


class Lab:
    def __init__(self, path, project, images, isolated):
        with open(path, encoding="utf-8") as f:
            self.doc = yaml.safe_load(f)
        self.here = os.path.dirname(os.path.abspath(path))
        self.project = project or self.doc.get("name") or "compose"
        self.images = images
        self.isolated = isolated
        self.services = self.doc.get("services") or {}

    def container(self, service):
        return f"{self.project}-{service}"

    def scoped(self, name):
        return f"{self.project}_{name}"

    def image(self, service):
        return self.images.get(service) or self.services[service].get("image") or f"{self.project}-{service}"

    # ---- ordering -----------------------------------------------------------------------
    def needs(self, service):
        svc = self.services[service]
        depends = svc.get("depends_on") or {}
        needs = dict(depends) if isinstance(depends, dict) else {d: {} for d in depends}
        mode = svc.get("network_mode") or ""
        if mode.startswith("service:"):
            needs.setdefault(mode.split(":", 1)[1], {})
        return {dep: (spec or {}).get("condition", "service_started") for dep, spec in needs.items()}

    def order(self):
        done, order = set(), []

        def visit(service, path):
            if service in path:
                raise LabError(f"a dependency cycle through {service}")
            if service not in done:
                for dep in self.needs(service):
                    visit(dep, path + [service])
                done.add(service)
                order.append(service)

        for service in self.services:
            visit(service, [])
        return order

    # ---- what a service's `podman run` says -----------------------------------------------
    def network_flags(self, svc):
        mode = svc.get("network_mode")
        if mode == "none":
            return ["--network", "none"]
        if mode and mode.startswith("service:"):
            return ["--network", f"container:{self.container(mode.split(':', 1)[1])}"]
        if mode:
            raise LabError(f"network_mode {mode} is not supported")
        nets = svc.get("networks") or {}
        flags = []
        for net, spec in (nets.items() if isinstance(nets, dict) else ((n, None) for n in nets)):
            address = (spec or {}).get("ipv4_address")
            flags += ["--network", self.scoped(net) + (f":ip={address}" if address else "")]
        if self.isolated and flags:
            flags += ["--dns", "none"]
        return flags

    def volume_flags(self, svc):
        flags = []
        for volume in svc.get("volumes") or []:
            if not isinstance(volume, str):
                raise LabError("only the short volume syntax (SOURCE:TARGET[:ro]) is supported")
            source, rest = volume.split(":", 1)
            if source.startswith((".", "/")):
                source = os.path.normpath(os.path.join(self.here, source))
            else:
                source = self.scoped(source)
            flags += ["-v", f"{source}:{rest}"]
        return flags

    def health_flags(self, svc):
        health = svc.get("healthcheck")
        if not health:
            return []
        if health.get("disable"):
            return ["--no-healthcheck"]
        test = health["test"]
        if isinstance(test, str):
            command = test
        elif test[0] == "CMD-SHELL":
            command = test[1]
        elif test[0] == "CMD":
            command = json.dumps(test[1:])
        else:
            return ["--no-healthcheck"]
        # No timer (podman's need systemd): this runner and the tests run the check.
        return ["--health-cmd", command, "--health-interval", "disable",
                "--health-timeout", f"{seconds(health.get('timeout'), 30):g}s",
                "--health-retries", str(health.get("retries", 3)),
                "--health-start-period", f"{seconds(health.get('start_period'), 0):g}s"]

    def process_flags(self, svc):
        flags = []
        for key, value in as_pairs(svc.get("environment")):
            flags += ["-e", f"{key}={value}"]
        for env_file in ([svc["env_file"]] if isinstance(svc.get("env_file"), str) else svc.get("env_file") or []):
            flags += ["--env-file", os.path.join(self.here, env_file)]
        flags += [f for cap in svc.get("cap_add") or [] for f in ("--cap-add", cap)]
        flags += [f for cap in svc.get("cap_drop") or [] for f in ("--cap-drop", cap)]
        flags += [f for dev in svc.get("devices") or [] for f in ("--device", dev)]
        flags += [f for key, value in as_pairs(svc.get("sysctls")) for f in ("--sysctl", f"{key}={value}")]
        flags += [f for key, value in as_pairs(svc.get("labels")) for f in ("--label", f"{key}={value}")]
        flags += [f for mount in svc.get("tmpfs") or [] for f in ("--tmpfs", mount)]
        simple = {"user": "--user", "working_dir": "--workdir", "stop_signal": "--stop-signal", "restart": "--restart"}
        for key, flag in simple.items():
            if key in svc:
                flags += [flag, str(svc[key])]
        if "stop_grace_period" in svc:
            flags += ["--stop-timeout", str(int(seconds(svc["stop_grace_period"], 10)))]
        if svc.get("init"):
            flags.append("--init")
        if svc.get("read_only"):
            flags.append("--read-only")
        return flags

    def port_flags(self, svc):
        if self.isolated:
            return []
        return [f for port in svc.get("ports") or [] for f in ("-p", str(port))]

    def run_args(self, service):
        svc = self.services[service]
        unknown = set(svc) - set(compose_check.SERVICE_KEYS) - IGNORED_KEYS
        unsupported = {"secrets", "configs", "ulimits"} & set(svc)
        if unknown or unsupported:
            raise LabError(f"service {service}: cannot carry out {', '.join(sorted(unknown | unsupported))}")
        args = ["run", "-d", "--name", self.container(service), "--label", f"{LABEL}={self.project}"] + RUN_FLAGS
        args += self.network_flags(svc) + self.volume_flags(svc) + self.health_flags(svc)
        args += self.process_flags(svc) + self.port_flags(svc)
        if "entrypoint" in svc:
            entrypoint = svc["entrypoint"]
            args += ["--entrypoint", entrypoint if isinstance(entrypoint, str) else json.dumps(entrypoint)]
        return args + [self.image(service)] + as_args(svc.get("command") or [])

    # ---- bringing it up --------------------------------------------------------------------
    def build_images(self):
        built = set()
        for service, svc in self.services.items():
            build = svc.get("build")
            image = self.image(service)
            if not build or service in self.images or image in built:
                continue
            spec = {"context": build} if isinstance(build, str) else build
            context = os.path.normpath(os.path.join(self.here, spec.get("context", ".")))
            dockerfile = os.path.join(context, spec.get("dockerfile", "Dockerfile"))
            args = [f for key, value in as_pairs(spec.get("args")) for f in ("--build-arg", f"{key}={value}")]
            say(f"building {image} for {service}")
            podman("build", *BUILD_FLAGS, *args, "-f", dockerfile, "-t", image, context, capture=True)
            built.add(image)

    def create_networks(self):
        for name, net in (self.doc.get("networks") or {}).items():
            net = net or {}
            flags = ["--label", f"{LABEL}={self.project}"]
            if net.get("internal") or self.isolated:
                flags.append("--internal")
            for pool in (net.get("ipam") or {}).get("config") or []:
                flags += ["--subnet", pool["subnet"]] + (["--gateway", pool["gateway"]] if "gateway" in pool else [])
            podman("network", "create", *flags, self.scoped(name), capture=True)

    def create_volumes(self):
        for name in self.doc.get("volumes") or {}:
            podman("volume", "create", "--label", f"{LABEL}={self.project}", self.scoped(name), capture=True)

    def wait_condition(self, dep, condition):
        name = self.container(dep)
        if condition == "service_completed_successfully":
            code = podman("wait", name, capture=True).stdout.strip()
            if code != "0":
                raise LabError(f"{dep} exited with {code}:\n{logs(name)}")
        elif condition == "service_healthy":
            self.wait_healthy(dep)

    def wait_healthy(self, service):
        health = self.services[service].get("healthcheck") or {}
        interval = seconds(health.get("interval"), 30)
        deadline = time.monotonic() + seconds(health.get("start_period"), 0) + interval * health.get("retries", 3) + 5
        name = self.container(service)
        while True:
            if podman("healthcheck", "run", name, capture=True, check=False).returncode == 0:
                return
            running = podman("inspect", "-f", "{{.State.Running}}", name, capture=True).stdout.strip()
            if running != "true" or time.monotonic() > deadline:
                raise LabError(f"{service} did not become healthy:\n{logs(name)}")
            time.sleep(min(interval, 1.0))

    def up(self):
        self.build_images()
        self.create_networks()
        self.create_volumes()
        for service in self.order():
            for dep, condition in self.needs(service).items():
                self.wait_condition(dep, condition)
            say(f"starting {self.container(service)}")
            podman(*self.run_args(service), capture=True)

    def down(self):
        names = podman("ps", "-a", "--filter", f"label={LABEL}={self.project}", "--format", "{{.Names}}",
                       capture=True).stdout.split()
        # Dependents first: a container another one shares the network of cannot go before it.
        for service in reversed(self.order()):
            name = self.container(service)
            if name in names:
                podman("stop", name, capture=True, check=False)
                podman("rm", "-f", name, capture=True)
                names.remove(name)
        if names:
            podman("rm", "-f", *names, capture=True)
        for kind in ("network", "volume"):
            listed = podman(kind, "ls", "--filter", f"label={LABEL}={self.project}", "--format",
                            "{{.Name}}", capture=True).stdout.split()
            if listed:
                podman(kind, "rm", *listed, capture=True)


def logs(name):
    result = podman("logs", "--tail", "30", name, capture=True, check=False)
    return (result.stdout + result.stderr).strip()


def say(message):
    print(f"compose_lab: {message}", flush=True)


def main():
    parser = argparse.ArgumentParser(usage=__doc__.split("Usage:\n", 1)[1].split("\n\n", 1)[0])
    parser.add_argument("file")
    parser.add_argument("action", choices=["up", "down"])
    parser.add_argument("--project")
    parser.add_argument("--image", action="append", default=[], metavar="SERVICE=IMAGE")
    parser.add_argument("--isolated", action="store_true")
    options = parser.parse_args()
    images = dict(item.split("=", 1) for item in options.image)
    problems = compose_check.check(options.file)
    if problems:
        for problem in problems:
            print(f"compose_lab: {problem}", file=sys.stderr)
        return 1
    lab = Lab(options.file, options.project, images, options.isolated)
    unknown = set(images) - set(lab.services)
    if unknown:
        print(f"compose_lab: --image names no service: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 64
    try:
        lab.up() if options.action == "up" else lab.down()
    except LabError as error:
        print(f"compose_lab: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
