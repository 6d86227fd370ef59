// Builders for test profiles: write only what a case is about; the schema fills the defaults.
import type { SegmentationProfile, SegmentationProfileInput } from '../../../src/api/profile.js';
import { segmentationProfileSchema } from '../../../src/api/profile.js';
import type { NamespaceInfo } from '../../../src/compile/select.js';

export function profile(name: string, spec: SegmentationProfileInput['spec'] = {}): SegmentationProfile {
  return segmentationProfileSchema.parse({ apiVersion: 'segmentation.dev/v1alpha1', kind: 'SegmentationProfile', metadata: { name }, spec });
}

export function ns(name: string, labels: Record<string, string> = {}): NamespaceInfo {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } };
}
