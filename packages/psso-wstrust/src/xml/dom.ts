/**
 * The read-only tree {@link parseXml} builds: namespace-resolved elements with source offsets, so
 * an element can be handed on as the exact text it came from.
 *
 * @module
 */

/** An attribute, namespace-resolved. Namespace declarations have `ns` = the xmlns namespace. */
export interface XmlAttribute {
  /** The qualified name as written. */
  readonly name: string;
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI; `''` for an unprefixed attribute. */
  readonly ns: string;
  /** The normalized, decoded value. */
  readonly value: string;
}

/** A text node: character data or a CDATA section, decoded. */
export interface XmlText {
  readonly type: 'text';
  readonly value: string;
  readonly cdata: boolean;
}

/** A comment. */
export interface XmlComment {
  readonly type: 'comment';
  readonly value: string;
}

/** A processing instruction. */
export interface XmlProcessingInstruction {
  readonly type: 'pi';
  readonly target: string;
  readonly value: string;
}

/** An element. */
export interface XmlElement {
  readonly type: 'element';
  /** The qualified name as written. */
  readonly name: string;
  readonly prefix: string;
  readonly local: string;
  /** Namespace URI; `''` when the element is in no namespace. */
  readonly ns: string;
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlNode[];
  readonly parent: XmlElement | undefined;
  /** Offset of the `<` of the start tag in {@link XmlDocument.source}. */
  readonly start: number;
  /** Offset just past the `>` of the end tag (or of `/>`). */
  readonly end: number;
  /**
   * The namespace declarations made on this element itself (prefix, `''` for the default
   * namespace, → URI), or `undefined` when it declares none. See `lookupNamespace` for the
   * bindings in scope.
   */
  readonly namespaces: ReadonlyMap<string, string> | undefined;
}

/** Any child node of an element. */
export type XmlNode = XmlElement | XmlText | XmlComment | XmlProcessingInstruction;

/** A parsed document. */
export interface XmlDocument {
  /** The decoded text the offsets point into (a leading byte order mark removed). */
  readonly source: string;
  readonly root: XmlElement;
}
