/**
 * Limits applied to every untrusted XML document.
 *
 * @module
 */

/** Limits of {@link parseXml}. Each breach has its own error code. */
export interface XmlLimits {
  /** Maximum document size in UTF-8 bytes. Default 1 MiB (`PSSO_ERR_XML_TOO_LARGE`). */
  readonly maxBytes?: number;
  /** Maximum element nesting depth. Default 64 (`PSSO_ERR_XML_TOO_DEEP`). */
  readonly maxDepth?: number;
  /** Maximum attributes (namespace declarations included) on one element. Default 64. */
  readonly maxAttributes?: number;
}

/** The default limits. */
export const DEFAULT_XML_LIMITS: Required<XmlLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxAttributes: 64,
});
