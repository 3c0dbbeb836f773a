#!/usr/bin/env python3
"""Checks the deployment files against the service's source, without Docker or Kubernetes:

1. Every environment name set in docker-compose.yml and deploy/kubernetes/*.yaml is one the service reads: either a
   configuration key (Section__Key, ':' written as '__') that resolves through the options classes the service binds
   (`GetSection("X").Get<T>()`, following property types), or appears as a key literal in the source, or a variable
   the source reads (`GetEnvironmentVariable("NAME")`), or a runtime variable of .NET itself.
2. Every probe path (Kubernetes httpGet probes, compose health checks, the HAProxy check) is a route the service maps.
3. Each manifest has the fields its kind needs (apiVersion, kind, metadata.name), and the Deployment's probes, volumes
   and envFrom references point at objects and volumes that exist.

--self-test runs the checks on misspelled keys and a missing route first and fails unless each is caught.
Exit 0: all good; 1: the problems are listed.
"""
import glob
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNTIME_VARIABLES = {"ASPNETCORE_HTTP_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_CLI_TELEMETRY_OPTOUT", "TMPDIR"}


def read_sources():
    sources = {}
    for path in glob.glob(os.path.join(ROOT, "src", "**", "*.cs"), recursive=True):
        if "/obj/" not in path and "/bin/" not in path:
            sources[path] = open(path, encoding="utf-8").read()
    return sources


class Service:
    """What the source says the service reads: bound sections, option types, key literals, variables and routes."""

    def __init__(self, sources):
        text = "\n".join(sources.values())
        self.constants = {}
        for m in re.finditer(r'\b(?:class|record)\s+(\w+)\b', text):
            for c in re.finditer(r'const\s+string\s+(\w+)\s*=\s*"([^"]+)"', text[m.end():m.end() + 3000].split("\n}", 1)[0]):
                self.constants.setdefault(f"{m.group(1)}.{c.group(1)}", c.group(2))
        self.types = {}
        for m in re.finditer(r'\b(?:class|record)\s+(\w+)\b', text):
            body = text[m.end():m.end() + 20000]
            end = re.search(r'\n\}', body)
            props = self.types.setdefault(m.group(1), {})
            for p in re.finditer(r'public\s+(?:required\s+)?([\w<>\[\]?,. ]+?)\s+(\w+)\s*\{\s*get;', body[:end.start() if end else len(body)]):
                props.setdefault(p.group(2).lower(), p.group(1))
        self.sections = {}
        for m in re.finditer(r'GetSection\(\s*(?:"([^"]+)"|(\w+\.\w+))\s*\)\s*\.Get<(\w+)>', text):
            section = m.group(1) or self.constants.get(m.group(2))
            if section:
                self.sections.setdefault(section.lower(), set()).add(m.group(3))
        self.literals = {k.lower() for k in re.findall(r'"((?:Rag|Llm|Extraction|Serilog|Kestrel)(?::\w+)+)"', text)}
        self.variables = set(re.findall(r'GetEnvironmentVariable\(\s*"(\w+)"\s*\)', text))
        self.routes = set(re.findall(r'Map(?:Get|Post|Put|Delete|Patch)\(\s*"(/[^"]*)"', text))

    def _leaf(self, type_name):
        return type_name.rstrip("?").split(".")[-1]

    def resolves(self, key):
        """True when the configuration key is bound: a literal, or a bound section followed through property types."""
        lowered = key.lower()
        if lowered in self.literals:
            return True
        parts = lowered.split(":")
        for cut in range(len(parts) - 1, 0, -1):
            section = ":".join(parts[:cut])
            for type_name in self.sections.get(section, ()):
                if self._walk(type_name, parts[cut:]):
                    return True
        return False

    def _walk(self, type_name, rest):
        if not rest:
            return True
        type_name = self._leaf(type_name)
        generic = re.match(r'(?:I?ReadOnly)?(?:Dictionary|IDictionary)<\s*string\s*,\s*(.+)>$', type_name)
        if generic:
            return self._walk(generic.group(1), rest[1:])
        if re.match(r'.*(\[\]|List<.*>)$', type_name):
            return rest[0].isdigit() and len(rest) == 1
        prop = self.types.get(type_name, {}).get(rest[0])
        return prop is not None and self._walk(prop, rest[1:])

    def reads_variable(self, name):
        if "__" in name:
            return self.resolves(name.replace("__", ":"))
        return name in self.variables or name in RUNTIME_VARIABLES or name.startswith(("DOTNET_", "ASPNETCORE_"))


def load_documents():
    documents = []
    compose = os.path.join(ROOT, "docker-compose.yml")
    documents.append((compose, yaml.safe_load(open(compose, encoding="utf-8"))))
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "kubernetes", "*.yaml"))):
        for doc in yaml.safe_load_all(open(path, encoding="utf-8")):
            documents.append((path, doc))
    return documents


def runs_the_service(service):
    """A compose service built from deploy/Dockerfile*; PostgreSQL, Qdrant and HAProxy read their own variables."""
    return str((service.get("build") or {}).get("dockerfile", "")).startswith("deploy/Dockerfile")


def environment_names(documents):
    """(file, name) for every environment variable the files set."""
    names = []
    for path, doc in documents:
        if path.endswith("docker-compose.yml"):
            for service in doc.get("services", {}).values():
                if not runs_the_service(service):
                    continue
                env = service.get("environment") or {}
                names += [(path, n) for n in (env if isinstance(env, dict) else [e.split("=", 1)[0] for e in env])]
        elif doc.get("kind") in ("ConfigMap", "Secret"):
            names += [(path, n) for n in list((doc.get("data") or {})) + list((doc.get("stringData") or {}))]
        elif doc.get("kind") == "Deployment":
            for container in doc["spec"]["template"]["spec"]["containers"]:
                names += [(path, e["name"]) for e in container.get("env", [])]
    return names


def probe_paths(documents):
    paths = []
    for path, doc in documents:
        if path.endswith("docker-compose.yml"):
            for service in doc.get("services", {}).values():
                test = " ".join((service.get("healthcheck") or {}).get("test", []))
                paths += [(path, p) for p in re.findall(r'http://[^/\s]+(/[\w/.-]*)', test)]
        elif doc.get("kind") == "Deployment":
            for container in doc["spec"]["template"]["spec"]["containers"]:
                for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
                    if probe in container:
                        paths.append((path, container[probe]["httpGet"]["path"]))
    haproxy = os.path.join(ROOT, "deploy", "cluster", "haproxy.cfg")
    paths += [(haproxy, p) for p in re.findall(r'http-check send .*\buri\s+(\S+)', open(haproxy, encoding="utf-8").read())]
    return paths


def manifest_problems(documents):
    problems = []
    kubernetes = [(p, d) for p, d in documents if not p.endswith("docker-compose.yml")]
    named = {(d.get("kind"), (d.get("metadata") or {}).get("name")) for _, d in kubernetes}
    for path, doc in kubernetes:
        if path.endswith("kustomization.yaml"):
            for resource in doc.get("resources", []):
                if not os.path.exists(os.path.join(os.path.dirname(path), resource)):
                    problems.append(f"{path}: resource {resource} does not exist")
            continue
        for field in ("apiVersion", "kind"):
            if not doc.get(field):
                problems.append(f"{path}: no {field}")
        if not (doc.get("metadata") or {}).get("name"):
            problems.append(f"{path}: no metadata.name")
        if doc.get("kind") == "Deployment":
            spec = doc["spec"]["template"]["spec"]
            labels = doc["spec"]["template"]["metadata"]["labels"]
            if any(labels.get(k) != v for k, v in doc["spec"]["selector"]["matchLabels"].items()):
                problems.append(f"{path}: the selector does not match the pod labels")
            volumes = {v["name"] for v in spec.get("volumes", [])}
            for container in spec["containers"]:
                for mount in container.get("volumeMounts", []):
                    if mount["name"] not in volumes:
                        problems.append(f"{path}: volume mount {mount['name']} has no volume")
                for source in container.get("envFrom", []):
                    for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                        if key in source and (kind, source[key]["name"]) not in named:
                            problems.append(f"{path}: envFrom {kind} {source[key]['name']} is not among the manifests")
                for probe in ("readinessProbe", "livenessProbe"):
                    if probe not in container:
                        problems.append(f"{path}: container {container['name']} has no {probe}")
    return problems


def check(service, documents):
    problems = [f"{f}: {n} is not a configuration key or variable the service reads" for f, n in environment_names(documents)
                if not service.reads_variable(n)]
    problems += [f"{f}: probe path {p} is not a route of the service" for f, p in probe_paths(documents) if p not in service.routes]
    return problems + manifest_problems(documents)


def self_test(service):
    """The checks must refuse what is wrong: misspelled keys, a key of an unbound section, a variable nobody reads, a missing route."""
    build = {"dockerfile": "deploy/Dockerfile"}
    wrong = [("docker-compose.yml", {"services": {"x": {"build": build, "environment": {
        "Rag__Auth__CacheSecondz": "5", "Rag__Postgres__ConectionString": "x", "Rag__Nowhere__Value": "1", "RAG_POSTGRESS": "x"},
        "healthcheck": {"test": ["CMD", "curl", "http://127.0.0.1:8080/health/readyz"]}}}})]
    found = check(service, wrong)
    expected = ["CacheSecondz", "ConectionString", "Rag__Nowhere__Value", "RAG_POSTGRESS", "/health/readyz"]
    missed = [e for e in expected if not any(e in p for p in found if "haproxy" not in p)]
    right = [("docker-compose.yml", {"services": {"x": {"build": build, "environment": {
        "Rag__Auth__CacheSeconds": "5", "Rag__Postgres__ConnectionString": "x", "Rag__Store": "postgres", "RAG_POSTGRES": "x"}}}})]
    refused = [p for p in check(service, right) if "haproxy" not in p]
    return [f"self-test: {m} was not caught" for m in missed] + [f"self-test: a right setting was refused: {p}" for p in refused]


def main():
    service = Service(read_sources())
    problems = self_test(service) if "--self-test" in sys.argv else []
    documents = load_documents()
    problems += check(service, documents)
    for p in problems:
        print(p.replace(ROOT + "/", ""))
    names = environment_names(documents)
    print(f"check-deployment: {len(names)} environment names, {len(probe_paths(documents))} probe paths, {len(documents)} documents; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
