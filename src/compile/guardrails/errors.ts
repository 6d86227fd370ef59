// A profile that a guardrail backend cannot express; the message names the field.
export class GuardrailError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'GuardrailError';
  }
}
