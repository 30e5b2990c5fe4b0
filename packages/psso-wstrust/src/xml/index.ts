export { findInvalidChar, isNcName } from './chars.js';
export type {
  XmlAttribute,
  XmlComment,
  XmlDocument,
  XmlElement,
  XmlNode,
  XmlProcessingInstruction,
  XmlText,
} from './dom.js';
export { DEFAULT_XML_LIMITS, type XmlLimits } from './limits.js';
export { parseXml } from './parse.js';
export {
  attribute,
  childElements,
  descendants,
  firstChild,
  lookupNamespace,
  path,
  rawXml,
  resolveQName,
  textOf,
} from './query.js';
export { escapeAttribute, escapeText } from './write.js';
