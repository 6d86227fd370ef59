// zod schemas for what the analysis reads from files: NetworkPolicy (wire form), Namespace, Pod,
// DaemonSet, Node. Loose (unknown fields pass through) but strict on every field the analysis uses,
// so a typo such as `podSelecter` or a bad CIDR is reported with its path instead of silently
// changing the answer.
import { z } from 'zod';
import { parseCidr } from './cidr.js';

const labels = z.record(z.string(), z.string());
const name = z.string().min(1);

const requirement = z
  .object({
    key: z.string().min(1),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .superRefine((req, ctx) => {
    const count = req.values?.length ?? 0;
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    if (needsValues && count === 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be non-empty for ${req.operator}` });
    if (!needsValues && count > 0) ctx.addIssue({ code: 'custom', path: ['values'], message: `must be empty for ${req.operator}` });
  });

export const labelSelectorSchema = z.strictObject({
  matchLabels: labels.optional(),
  matchExpressions: z.array(requirement).optional(),
});

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, { message: 'must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32' });

const ipBlock = z
  .strictObject({ cidr, except: z.array(cidr).optional() })
  .superRefine((block, ctx) => {
    const outer = parseCidr(block.cidr);
    block.except?.forEach((text, i) => {
      const inner = parseCidr(text);
      if (outer && inner && (inner.family !== outer.family || inner.first < outer.first || inner.last > outer.last))
        ctx.addIssue({ code: 'custom', path: ['except', i], message: `${text} is not inside ${block.cidr}` });
    });
  });

const peer = z
  .strictObject({ podSelector: labelSelectorSchema.optional(), namespaceSelector: labelSelectorSchema.optional(), ipBlock: ipBlock.optional() })
  .superRefine((p, ctx) => {
    const selectors = p.podSelector !== undefined || p.namespaceSelector !== undefined;
    if (p.ipBlock && selectors) ctx.addIssue({ code: 'custom', path: ['ipBlock'], message: 'cannot be combined with podSelector or namespaceSelector in one peer' });
    if (!p.ipBlock && !selectors) ctx.addIssue({ code: 'custom', message: 'a peer needs podSelector, namespaceSelector or ipBlock' });
  });

const portName = z.string().regex(/^(?=.*[a-z])[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/, 'must be a port number or an IANA port name');

const port = z
  .strictObject({
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
    port: z.union([z.number().int().min(1).max(65535), portName]).optional(),
    endPort: z.number().int().min(1).max(65535).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.endPort === undefined) return;
    if (typeof p.port !== 'number') ctx.addIssue({ code: 'custom', path: ['endPort'], message: 'requires a numeric port' });
    else if (p.endPort < p.port) ctx.addIssue({ code: 'custom', path: ['endPort'], message: `must be >= port (${p.port})` });
  });

const namespacedMeta = z.object({ name, namespace: name, labels: labels.optional() }).loose();

export const networkPolicySchema = z
  .object({
    kind: z.literal('NetworkPolicy').optional(),
    metadata: namespacedMeta,
    spec: z
      .object({
        podSelector: labelSelectorSchema,
        policyTypes: z.array(z.enum(['Ingress', 'Egress'])).optional(),
        ingress: z.array(z.object({ from: z.array(peer).optional(), ports: z.array(port).optional() }).strict()).optional(),
        egress: z.array(z.object({ to: z.array(peer).optional(), ports: z.array(port).optional() }).strict()).optional(),
      })
      .loose(),
  })
  .loose();

export const namespaceSchema = z
  .object({
    kind: z.literal('Namespace').optional(),
    metadata: z.object({ name, labels: labels.optional() }).loose(),
  })
  .loose();

const containerPort = z.object({ name: z.string().optional(), containerPort: z.number().int().min(1).max(65535), protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional() }).loose();
const container = z.object({ name: z.string().optional(), image: z.string().optional(), ports: z.array(containerPort).optional(), args: z.array(z.string()).optional(), command: z.array(z.string()).optional() }).loose();

export const podSchema = z
  .object({
    kind: z.literal('Pod').optional(),
    metadata: namespacedMeta,
    spec: z.object({ hostNetwork: z.boolean().optional(), containers: z.array(container).optional(), initContainers: z.array(container).optional() }).loose().optional(),
    status: z.object({ podIP: z.string().optional(), podIPs: z.array(z.object({ ip: z.string() }).loose()).optional(), phase: z.string().optional() }).loose().optional(),
  })
  .loose();

export const daemonSetSchema = z
  .object({
    kind: z.literal('DaemonSet').optional(),
    metadata: namespacedMeta,
    spec: z
      .object({ template: z.object({ metadata: z.object({ labels: labels.optional() }).loose().optional(), spec: z.object({ containers: z.array(container).optional() }).loose().optional() }).loose().optional() })
      .loose()
      .optional(),
    status: z.object({ numberReady: z.number().int().optional(), desiredNumberScheduled: z.number().int().optional() }).loose().optional(),
  })
  .loose();

export const nodeSchema = z
  .object({
    kind: z.literal('Node').optional(),
    metadata: z.object({ name, labels: labels.optional() }).loose(),
  })
  .loose();
