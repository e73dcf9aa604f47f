/**
 * The naming convention every target follows to find its dependencies (docs/campaigns.md): the URL of
 * dependency `name` is in the environment variable `dependencyEnvVar(name)`. perfcell's generic target
 * adapter sets it, the reference target (sut/) reads it; the convention belongs to neither.
 */

/** "legal" → "LEGAL_URL", "customer-service" → "CUSTOMER_SERVICE_URL". */
export function dependencyEnvVar(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_URL`;
}
