"""The deployment files describe the system as it runs: docker-compose.yml and deploy/kubernetes.

No Docker engine or Kubernetes cluster is needed: the compose file is parsed (and checked by Debian's
docker-compose when it is installed, as ``make compose-check`` does), and every Kubernetes manifest is
validated offline against the Kubernetes JSON schemas bundled by kubernetes-validate. The operators'
resources (RabbitmqCluster, CloudNativePG's Cluster and Database) have no bundled schema: they are
checked here for the fields the system relies on.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from sqlalchemy.engine import make_url

from tiepdan_common.db import multi_host_url

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "kubernetes"
# The local stand-ins `make run` starts for the outside world (a mail sink, the SMS provider and webhook
# receivers): in a deployment these are the real SMTP relay and providers, configured on notify.
STAND_INS = {"mail", "standins"}
# Kubernetes versions the manifests must be valid for: an older one still in wide use, and the newest bundled.
K8S_VERSIONS = ("1.32", "1.37")
OPERATOR_GROUPS = ("rabbitmq.com/", "postgresql.cnpg.io/")
DATABASES = {"intake", "roster", "escalation", "notify", "gateway"}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def deployed_processes() -> list[str]:
    return [name for name in procfile() if name not in STAND_INS]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def manifests() -> list[tuple[Path, dict]]:
    docs = []
    for path in sorted(K8S.rglob("*.yaml")):
        docs += [(path, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert docs, "no manifests found"
    return docs


def of_kind(manifests, kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for _, doc in manifests if doc["kind"] == kind}


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


# --- docker-compose.yml ---------------------------------------------------------------------------------


def test_docker_compose_accepts_the_file():
    if not shutil.which("docker-compose"):
        pytest.skip("Debian's docker-compose is not installed (make compose-check installs it as root)")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_process_runs_two_replicas_in_compose(compose):
    services = compose["services"]
    for name in deployed_processes():
        assert name in services, f"{name} (Procfile) has no compose service"
        assert services[name].get("deploy", {}).get("replicas") == 2, f"{name} does not run two replicas"


def test_compose_names_every_broker_node_and_both_database_servers(compose):
    services = compose["services"]
    nodes = sorted(n for n in services if re.fullmatch(r"rabbitmq\d", n))
    assert nodes == ["rabbitmq1", "rabbitmq2", "rabbitmq3"]
    cookies = {services[n]["environment"]["RABBITMQ_ERLANG_COOKIE"] for n in nodes}
    assert len(cookies) == 1, "the nodes must share one Erlang cookie"
    conf = (ROOT / "deploy" / "compose" / "rabbitmq-cluster.conf").read_text()
    assert "peer_discovery_backend = classic_config" in conf
    assert sorted(re.findall(r"= rabbit@(\S+)", conf)) == sorted(services[n]["hostname"] for n in nodes)

    checked = 0
    for name, service in services.items():
        env = service.get("environment") or {}
        if "AMQP_URL" in env:
            hosts = re.findall(r"@([^:/]+):5672", env["AMQP_URL"])
            assert sorted(hosts) == nodes, f"{name}'s AMQP_URL names {hosts}"
        for key in ("DATABASE_URL", "GATEWAY_DATABASE_URL"):
            if key in env:
                url = make_url(multi_host_url(env[key].replace("${TIEPDAN_DB_PASSWORD:-tiepdan}", "pw")))
                assert url.query["host"] == ("postgres-primary:5432", "postgres-standby:5432"), name
                assert url.query["target_session_attrs"] == "read-write", name
                assert url.database in DATABASES, name
                checked += 1
    assert checked >= len(DATABASES)


def test_compose_standby_is_synchronous_and_shares_the_primary_settings(compose):
    primary, standby = compose["services"]["postgres-primary"], compose["services"]["postgres-standby"]
    assert standby["command"] == primary["command"], "a standby's settings may not be lower than its primary's"
    init = (ROOT / "deploy" / "compose" / "postgres-primary-init.sh").read_text()
    names = re.search(r"synchronous_standby_names = 'FIRST 1 \((\w+)\)'", init)
    assert names, "the primary must wait for its standby"
    script = (ROOT / "deploy" / "compose" / "postgres-standby.sh").read_text()
    assert f"application_name={names.group(1)}" in script
    assert "pg_basebackup" in script and "standby.signal" in script


# --- deploy/kubernetes -----------------------------------------------------------------------------------


def test_manifests_match_the_kubernetes_schemas(manifests):
    checked = 0
    for path, doc in manifests:
        if doc["apiVersion"].startswith(OPERATOR_GROUPS):
            continue
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as exc:
                pytest.fail(
                    f"{path.name} {doc['kind']} {doc['metadata']['name']} ({version}): "
                    f"{'.'.join(map(str, exc.path))}: {exc.message}"
                )
        checked += 1
    assert checked >= 20
    # The validator catches a broken manifest: the same check fails on a wrong type and an unknown field.
    deployment = copy.deepcopy(next(doc for _, doc in manifests if doc["kind"] == "Deployment"))
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)
    deployment["spec"]["replicas"] = 2
    deployment["spec"]["template"]["spec"]["containers"][0]["readynessProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)


def test_every_process_has_a_deployment_with_two_replicas_and_probes(manifests):
    deployments = of_kind(manifests, "Deployment")
    commands = procfile()
    for name in deployed_processes():
        assert name in deployments, f"{name} (Procfile) has no Kubernetes Deployment"
        spec = deployments[name]["spec"]
        assert spec["replicas"] == 2, name
        container = spec["template"]["spec"]["containers"][0]
        live, ready = container["livenessProbe"], container["readinessProbe"]
        if commands[name].startswith("gunicorn"):
            assert live["httpGet"]["path"] == "/livez", name
            # The dashboard has no dependency worth a readiness check of its own: /livez.
            assert ready["httpGet"]["path"] == ("/livez" if name == "web" else "/readyz"), name
            port = next(p["containerPort"] for p in container["ports"] if p["name"] == live["httpGet"]["port"])
            conf = (ROOT / commands[name].split()[-1]).read_text()
            assert re.search(rf'"127\.0\.0\.1:{port}"', conf), f"{name} listens on another port than {port}"
            assert env_of(container)[f"{name.split('-')[0].upper()}_BIND"]["value"] == f"0.0.0.0:{port}"
        else:
            assert container["command"] == commands[name].split(), name
            assert "WORKER_HEARTBEAT_FILE" in " ".join(live["exec"]["command"]), name
            assert "WORKER_HEARTBEAT_FILE" in env_of(container), name
        assert f"{name}" in of_kind(manifests, "PodDisruptionBudget"), f"{name} has no disruption budget"


def test_services_configmaps_and_secrets_are_all_there(manifests):
    deployments = of_kind(manifests, "Deployment")
    for name, svc in of_kind(manifests, "Service").items():
        targets = [
            d
            for d in deployments.values()
            if svc["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert targets, f"Service {name} selects no Deployment"
        ports = {p["name"] for c in targets[0]["spec"]["template"]["spec"]["containers"] for p in c["ports"]}
        assert {p["targetPort"] for p in svc["spec"]["ports"]} <= ports, name
    config_maps = of_kind(manifests, "ConfigMap")
    own_secret = of_kind(manifests, "Secret")["tiepdan-secrets"]["stringData"]
    rabbit = next(iter(of_kind(manifests, "RabbitmqCluster")))
    pg = next(iter(of_kind(manifests, "Cluster")))
    made_by_operators = {f"{rabbit}-default-user": {"username", "password"}, f"{pg}-app": {"username", "password"}}
    workloads = [d["spec"]["template"]["spec"] for d in deployments.values()]
    workloads += [j["spec"]["template"]["spec"] for j in of_kind(manifests, "Job").values()]
    for pod in workloads:
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    keys = own_secret if ref["name"] == "tiepdan-secrets" else made_by_operators.get(ref["name"], ())
                    assert ref["key"] in keys, f"{container['name']}: no key {ref['key']} in {ref['name']}"


def test_operator_resources_give_three_nodes_and_a_synchronous_standby(manifests):
    ((rabbit_name, rabbit),) = of_kind(manifests, "RabbitmqCluster").items()
    assert rabbit["apiVersion"] == "rabbitmq.com/v1beta1" and rabbit["spec"]["replicas"] == 3
    ((pg_name, pg),) = of_kind(manifests, "Cluster").items()
    assert pg["apiVersion"] == "postgresql.cnpg.io/v1" and pg["spec"]["instances"] == 3
    sync = pg["spec"]["postgresql"]["synchronous"]
    assert sync["method"] in ("any", "first") and sync["number"] >= 1 and sync["dataDurability"] == "required"
    made = {pg["spec"]["bootstrap"]["initdb"]["database"]}
    for db in of_kind(manifests, "Database").values():
        assert (
            db["spec"]["cluster"]["name"] == pg_name
            and db["spec"]["owner"] == pg["spec"]["bootstrap"]["initdb"]["owner"]
        )
        made.add(db["spec"]["name"])
    assert made == DATABASES

    nodes = [f"{rabbit_name}-server-{i}.{rabbit_name}-nodes" for i in range(3)]
    pods = [d["spec"]["template"]["spec"] for d in of_kind(manifests, "Deployment").values()]
    pods += [j["spec"]["template"]["spec"] for j in of_kind(manifests, "Job").values()]
    migrated = set()
    for pod in pods:
        env = env_of(pod["containers"][0])
        if "AMQP_URL" in env:
            assert re.findall(r"@([^:/]+):5672", env["AMQP_URL"]["value"]) == nodes
        for key in ("DATABASE_URL", "GATEWAY_DATABASE_URL"):
            if key in env:
                url = make_url(multi_host_url(env[key]["value"]))
                assert url.host == f"{pg_name}-rw" and url.query["target_session_attrs"] == "read-write"
                assert url.database in made
    for job in of_kind(manifests, "Job").values():
        script = " ".join(job["spec"]["template"]["spec"]["containers"][0]["command"])
        assert "migrate" in script
        migrated.add(job["metadata"]["name"].removesuffix("-migrate"))
    assert migrated == DATABASES, "every service's database needs its migration Job"
