// Validates every object in deploy/kubernetes/*.yaml (but the kustomization, which is no API object) against the
// Kubernetes API schema of its apiVersion and kind, as kubernetes-models ships it (`model.validate()`: types, required
// fields, enums), and checks that a broken Deployment is refused (the self-check at the end). Exit 1 on any error.
// usage: (cd deploy/check && npm ci && node validate-kubernetes.mjs)
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

const folder = new URL("../kubernetes/", import.meta.url).pathname;
const modules = { "v1": "kubernetes-models/v1", "apps/v1": "kubernetes-models/apps/v1", "policy/v1": "kubernetes-models/policy/v1" };

async function validate(object) {
  const module = modules[object.apiVersion];
  if (!module) throw new Error(`no schema loaded for apiVersion ${object.apiVersion}`);
  const Model = (await import(module))[object.kind];
  if (!Model) throw new Error(`no ${object.kind} in ${object.apiVersion}`);
  new Model(object).validate();
}

let failures = 0, checked = 0;
for (const file of readdirSync(folder).filter(f => f.endsWith(".yaml") && f !== "kustomization.yaml").sort()) {
  for (const document of parseAllDocuments(readFileSync(join(folder, file), "utf8"))) {
    const object = document.toJS();
    try {
      await validate(object);
      checked++;
      console.log(`ok    ${file}: ${object.kind} ${object.metadata.name}`);
    } catch (e) {
      failures++;
      console.log(`ERROR ${file}: ${object?.kind} ${object?.metadata?.name}: ${e.message}`);
    }
  }
}

// The validator must refuse what is wrong, or the lines above prove nothing.
const deployment = parseAllDocuments(readFileSync(join(folder, "deployment.yaml"), "utf8"))[0].toJS();
deployment.spec.template.spec.containers[0].readinessProbe.httpGet.port = { name: "http" };
deployment.spec.replicas = "two";
try {
  await validate(deployment);
  failures++;
  console.log("ERROR self-check: a Deployment with replicas \"two\" and an object as probe port was accepted");
} catch {
  console.log("ok    self-check: a broken Deployment is refused");
}

console.log(`validate-kubernetes: ${checked} objects valid, ${failures} error(s)`);
process.exit(failures ? 1 : 0);
