#!/usr/bin/env python3
"""Checks docker/compose.yaml where no compose engine runs: it parses as YAML, uses only keys
of the Compose specification, and every reference resolves (services in depends_on and
network_mode, networks, volumes, static addresses inside their subnet and off the gateway,
build contexts, Dockerfiles and the scripts the hub image copies). compose_lab.py runs these
checks before it starts anything; alone, they need no engine.

Usage: compose_check.py docker/compose.yaml     exit 0 when sound, 1 with every problem listed
"""
import ipaddress
import os
import sys

try:
    import yaml
except ImportError:
    print("skipped: needs PyYAML (python3-yaml; scripts/setup.sh unit installs it)")
    sys.exit(77)

TOP_KEYS = {"name", "services", "networks", "volumes", "secrets", "configs", "version"}
SERVICE_KEYS = {
    "build", "image", "command", "entrypoint", "environment", "env_file", "volumes", "networks",
    "network_mode", "ports", "expose", "depends_on", "healthcheck", "cap_add", "cap_drop", "devices",
    "sysctls", "init", "restart", "stop_signal", "stop_grace_period", "user", "working_dir",
    "labels", "ulimits", "tmpfs", "read_only", "secrets", "configs", "profiles",
}
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
DEPENDS_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


def built_stages(lines, args, target=None):
    """Indexes of the stages a build of TARGET (default: the last stage) runs, following FROM
    <stage>, FROM ${ARG} (build arg, else the ARG's default) and COPY --from=<stage>."""
    defaults, stages = {}, []
    for words in lines:
        if words[0] == "ARG" and len(words) > 1 and "=" in words[1] and not stages:
            key, value = words[1].split("=", 1)
            defaults[key] = value
        if words[0] == "FROM":
            base = words[1]
            if base.startswith("${") and base.endswith("}"):
                base = str(args.get(base[2:-1], defaults.get(base[2:-1], "")))
            name = words[3] if len(words) >= 4 and words[2].upper() == "AS" else None
            stages.append({"name": name, "needs": {base}})
        elif words[0] == "COPY" and stages:
            stages[-1]["needs"].update(w.split("=", 1)[1] for w in words if w.startswith("--from="))
    index = {st["name"]: i for i, st in enumerate(stages) if st["name"]}
    todo = [index[target] if target else len(stages) - 1]
    seen = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo += [index[n] for n in stages[i]["needs"] if n in index]
    return seen


def copy_problems(where, dockerfile, context, args):
    """COPY sources (not --from) missing from the build context, in the stages that get built."""
    with open(dockerfile, encoding="utf-8") as f:
        lines = [line.split() for line in f if line.strip() and not line.lstrip().startswith("#")]
    built = built_stages(lines, args)
    problems, stage = [], -1
    for words in lines:
        if words[0] == "FROM":
            stage += 1
        if words[0] == "COPY" and stage in built and not any(w.startswith("--from") for w in words):
            for source in words[1:-1]:
                if not source.startswith("--") and not os.path.exists(os.path.join(context, source)):
                    problems.append(f"{where}: {dockerfile} copies {source}, missing in {context}")
    return problems


def check(path):
    problems = []
    here = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict):
        return ["the file is not a mapping"]
    problems += [f"unknown top-level key {k}" for k in doc if k not in TOP_KEYS]
    services = doc.get("services") or {}
    networks = doc.get("networks") or {}
    volumes = doc.get("volumes") or {}
    subnets = {}
    for name, net in networks.items():
        for pool in ((net or {}).get("ipam") or {}).get("config") or []:
            subnet = ipaddress.ip_network(pool["subnet"])
            gateway = ipaddress.ip_address(pool["gateway"]) if "gateway" in pool else None
            if gateway is not None and gateway not in subnet:
                problems.append(f"network {name}: gateway {gateway} outside {subnet}")
            subnets[name] = (subnet, gateway)
    built_images = {s.get("image") for s in services.values() if s.get("build")}
    addresses = {}
    for name, svc in services.items():
        where = f"service {name}"
        problems += [f"{where}: unknown key {k}" for k in svc if k not in SERVICE_KEYS]
        if "image" not in svc and "build" not in svc:
            problems.append(f"{where}: neither image nor build")
        if svc.get("image") and not svc.get("build") and "/" not in svc["image"] and ":" not in svc["image"] \
                and svc["image"] not in built_images:
            problems.append(f"{where}: image {svc['image']} is neither built here nor tagged")
        build = svc.get("build")
        if build:
            context = os.path.normpath(os.path.join(here, build if isinstance(build, str) else build.get("context", ".")))
            dockerfile = os.path.join(context, "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile"))
            if not os.path.isdir(context):
                problems.append(f"{where}: build context {context} missing")
            elif not os.path.isfile(dockerfile):
                problems.append(f"{where}: Dockerfile {dockerfile} missing")
            else:
                args = build.get("args") or {} if isinstance(build, dict) else {}
                problems += copy_problems(where, dockerfile, context, args)
        depends = svc.get("depends_on") or {}
        for dep, spec in (depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)):
            if dep not in services:
                problems.append(f"{where}: depends_on unknown service {dep}")
            condition = (spec or {}).get("condition", "service_started")
            if condition not in DEPENDS_CONDITIONS:
                problems.append(f"{where}: depends_on {dep}: unknown condition {condition}")
            if condition == "service_healthy" and dep in services and "healthcheck" not in services[dep]:
                problems.append(f"{where}: waits for {dep} to be healthy, which has no healthcheck")
        mode = svc.get("network_mode")
        if mode and svc.get("networks"):
            problems.append(f"{where}: network_mode and networks together")
        if mode and mode.startswith("service:") and mode.split(":", 1)[1] not in services:
            problems.append(f"{where}: network_mode names unknown service {mode}")
        if mode and svc.get("ports"):
            problems.append(f"{where}: ports with network_mode {mode}")
        nets = svc.get("networks") or {}
        for net, spec in (nets.items() if isinstance(nets, dict) else ((n, None) for n in nets)):
            if net not in networks:
                problems.append(f"{where}: unknown network {net}")
                continue
            address = (spec or {}).get("ipv4_address")
            if address:
                ip = ipaddress.ip_address(address)
                subnet, gateway = subnets.get(net, (None, None))
                if subnet is None:
                    problems.append(f"{where}: static address on {net}, which has no ipam subnet")
                elif ip not in subnet or ip == gateway:
                    problems.append(f"{where}: {ip} is outside {subnet} or is its gateway")
                if ip in addresses:
                    problems.append(f"{where}: {ip} also given to {addresses[ip]}")
                addresses[ip] = name
        for volume in svc.get("volumes") or []:
            source = volume.split(":", 1)[0] if isinstance(volume, str) else volume.get("source")
            if source and not source.startswith((".", "/")) and source not in volumes:
                problems.append(f"{where}: unknown volume {source}")
        health = svc.get("healthcheck") or {}
        problems += [f"{where}: healthcheck: unknown key {k}" for k in health if k not in HEALTHCHECK_KEYS]
        test = health.get("test")
        if test is not None and not (isinstance(test, str) or (test and test[0] in ("CMD", "CMD-SHELL", "NONE"))):
            problems.append(f"{where}: healthcheck test must start with CMD, CMD-SHELL or NONE")
        for key in ("command", "entrypoint"):
            value = svc.get(key)
            if value is not None and not isinstance(value, (str, list)):
                problems.append(f"{where}: {key} must be a string or a list")
    return problems


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    problems = check(sys.argv[1])
    for problem in problems:
        print(f"compose_check: {problem}")
    if not problems:
        print(f"compose_check: {sys.argv[1]} is sound")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
