// The zod schema (used by the CLI) and the CRD's OpenAPI schema (used by the API server) must accept and
// reject the same profiles. ajv checks the OpenAPI part offline; CEL-only cases are checked against the real
// API server in test/integration/crd.test.ts.
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { describeZodIssues } from '../../../src/cli/input.js';
import { buildCrd } from '../../../src/api/crd.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import { corpusObject, invalidCases, validCases } from '../../corpus/profiles.js';

type Json = Record<string, unknown>;

/** The CRD schema as plain JSON Schema, with kubectl's strict field validation (unknown fields rejected). */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key.startsWith('x-kubernetes-') || key === 'default' || key === 'format') continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(v)])) : toJsonSchema(value);
  }
  if ((node as Json)['x-kubernetes-int-or-string'] === true) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function crdSchema(): Json {
  const versions = (buildCrd().spec as Json).versions as Json[];
  return ((versions[0]!.schema as Json).openAPIV3Schema as Json);
}

const ajv = new Ajv({ strict: false, allErrors: true });
const validateCrd = ajv.compile(toJsonSchema(crdSchema()) as Json);

function ajvErrorPaths(): string[] {
  return (validateCrd.errors ?? []).map((e) => {
    const path = e.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
    const params = e.params as { additionalProperty?: string; missingProperty?: string };
    const extra = e.keyword === 'additionalProperties' ? `.${params.additionalProperty}` : e.keyword === 'required' ? `.${params.missingProperty}` : '';
    return `${path}${extra}`;
  });
}

describe('schema agreement: zod and the CRD accept and reject the same corpus', () => {
  validCases.forEach((c, i) => {
    it(`accepts: ${c.name}`, () => {
      const obj = corpusObject(c, i);
      const zod = segmentationProfileSchema.safeParse(obj);
      assert.ok(zod.success, zod.success ? '' : describeZodIssues({ file: c.name, index: 0 }, zod.error).join('\n'));
      assert.ok(validateCrd(obj), `CRD schema rejected it: ${ajvErrorPaths().join(', ')}`);
    });
  });

  invalidCases.forEach((c, i) => {
    it(`rejects: ${c.name} (at ${c.field})`, () => {
      const obj = corpusObject(c, i);
      const zod = segmentationProfileSchema.safeParse(obj);
      assert.equal(zod.success, false, 'zod accepted it');
      const lines = describeZodIssues({ file: 'f', index: 0 }, zod.error!);
      assert.ok(lines.some((l) => l.startsWith(`f#0: ${c.field}`)), `zod did not name ${c.field}: ${lines.join(' | ')}`);
      if (c.cel) return; // only the API server's CEL rules (or list-map keys) catch this one: see the integration test
      assert.equal(validateCrd(obj), false, 'CRD schema accepted it');
      const paths = ajvErrorPaths();
      assert.ok(paths.some((p) => p.startsWith(c.field!)), `CRD schema did not name ${c.field}: ${paths.join(', ')}`);
    });
  });

  it('marks only the cases the OpenAPI schema cannot express as CEL-only', () => {
    // Guard against marking a case cel:true to hide a disagreement: every CEL-only case must pass ajv.
    invalidCases.forEach((c, i) => {
      if (c.cel) assert.equal(validateCrd(corpusObject(c, i)), true, `${c.name} is marked CEL-only but the OpenAPI schema rejects it`);
    });
  });
});
