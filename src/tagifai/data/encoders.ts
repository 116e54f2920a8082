/**
 * Label encoders: tags to numbers and back. Multi-label (each project has several tags: 0/1 rows)
 * and multi-class (one label each: class indices). Saved as `{type, classes}` JSON.
 */
import { z } from "zod";
import type { ArtifactReader, ArtifactWriter } from "../artifact-io.js";
import { TagifaiError } from "../errors.js";
import { parseWith } from "../schema.js";

const classesSchema = z
  .array(z.string())
  .refine((classes) => new Set(classes).size === classes.length, "classes must be unique");

/** Schema of a saved label encoder: its kind and its classes, in index order. */
export const labelEncoderJsonSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("multi-label"), classes: classesSchema }),
  z.object({ type: z.literal("multi-class"), classes: classesSchema }),
]);

/** A label encoder as saved. */
export type LabelEncoderJson = z.infer<typeof labelEncoderJsonSchema>;
type EncoderType = LabelEncoderJson["type"];

/** What both encoders share: the classes, their indices, and saving. */
abstract class LabelEncoder {
  abstract readonly type: EncoderType;
  /** The classes; a class's position is its index. */
  classes: string[] = [];
  /** Index of each class. */
  classToIndex = new Map<string, number>();

  /** @param classes the classes in index order (must be unique); none until `fit` */
  constructor(classes: readonly string[] = []) {
    this.setClasses(classes);
  }

  /** @returns the JSON form, `{type, classes}` */
  toJSON(): LabelEncoderJson {
    return { type: this.type, classes: [...this.classes] };
  }

  /**
   * Save as JSON.
   * @param writer the model's files
   * @param name the file's name
   */
  save(writer: ArtifactWriter, name: string): void {
    writer.json(name, this.toJSON());
  }

  /** Use these classes, in this order. */
  protected setClasses(classes: readonly string[]): void {
    const classToIndex = new Map(classes.map((label, index) => [label, index]));
    if (classToIndex.size !== classes.length)
      throw new TagifaiError(
        "INVALID_INPUT",
        `Label encoder classes must be unique: ${JSON.stringify(classes)}`,
      );
    this.classes = [...classes];
    this.classToIndex = classToIndex;
  }

  /** Use the sorted distinct labels as classes. */
  protected fitClasses(labels: Iterable<string>): void {
    this.setClasses([...new Set(labels)].sort());
  }

  protected indexOf(label: string): number {
    const index = this.classToIndex.get(label);
    if (index === undefined)
      throw new TagifaiError(
        "INVALID_INPUT",
        `Unknown label ${JSON.stringify(label)}: not one of the encoder's ${this.classes.length} classes`,
      );
    return index;
  }

  protected classAt(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.classes.length)
      throw new TagifaiError(
        "INVALID_INPUT",
        `Class index ${index} is out of range: the encoder has ${this.classes.length} classes`,
      );
    return this.classes[index];
  }
}

/** Encodes each sample's set of labels as a 0/1 row with one column per class. */
export class MultiLabelEncoder extends LabelEncoder {
  readonly type = "multi-label";

  /**
   * Learn the classes: every distinct label, sorted.
   * @param labels each sample's labels
   * @returns this encoder
   */
  fit(labels: readonly (readonly string[])[]): this {
    this.fitClasses(labels.flat());
    return this;
  }

  /**
   * @param labels each sample's labels
   * @returns one 0/1 row per sample, 1 in the column of each of its labels
   * @throws TagifaiError INVALID_INPUT for a label the encoder does not know
   */
  encode(labels: readonly (readonly string[])[]): number[][] {
    return labels.map((sampleLabels) => {
      const row = new Array<number>(this.classes.length).fill(0);
      for (const label of sampleLabels) row[this.indexOf(label)] = 1;
      return row;
    });
  }

  /**
   * @param y 0/1 rows, one column per class
   * @returns each row's labels (the classes of its 1 columns, in class order)
   * @throws TagifaiError INVALID_INPUT for a row of the wrong length or with a value other than 0/1
   */
  decode(y: readonly (readonly number[])[]): string[][] {
    return y.map((row, r) => {
      if (row.length !== this.classes.length || row.some((v) => v !== 0 && v !== 1))
        throw new TagifaiError(
          "INVALID_INPUT",
          `Row ${r} must hold ${this.classes.length} values that are 0 or 1, got [${row.join(", ")}]`,
        );
      return this.classes.filter((_, c) => row[c] === 1);
    });
  }

  /**
   * @param value the parsed JSON of a saved multi-label encoder
   * @param source where it came from, named in errors
   * @throws TagifaiError INVALID_ARTIFACTS when it is not a valid multi-label encoder
   */
  static fromJSON(value: unknown, source = "label encoder"): MultiLabelEncoder {
    return new MultiLabelEncoder(parseLabelEncoderJson(value, source, "multi-label").classes);
  }

  /**
   * @param reader the model's files
   * @param name the file written by `save`
   * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not a multi-label encoder
   */
  static async load(reader: ArtifactReader, name: string): Promise<MultiLabelEncoder> {
    return MultiLabelEncoder.fromJSON(await reader.json(name), reader.where(name));
  }
}

/** Encodes each sample's single label as its class index. */
export class MultiClassEncoder extends LabelEncoder {
  readonly type = "multi-class";

  /**
   * Learn the classes: every distinct label, sorted.
   * @param labels each sample's label
   * @returns this encoder
   */
  fit(labels: readonly string[]): this {
    this.fitClasses(labels);
    return this;
  }

  /**
   * @param labels each sample's label
   * @returns each label's class index
   * @throws TagifaiError INVALID_INPUT for a label the encoder does not know
   */
  encode(labels: readonly string[]): number[] {
    return labels.map((label) => this.indexOf(label));
  }

  /**
   * @param indices class indices
   * @returns their labels
   * @throws TagifaiError INVALID_INPUT for an index that is not a class index
   */
  decode(indices: readonly number[]): string[] {
    return indices.map((index) => this.classAt(index));
  }

  /**
   * @param value the parsed JSON of a saved multi-class encoder
   * @param source where it came from, named in errors
   * @throws TagifaiError INVALID_ARTIFACTS when it is not a valid multi-class encoder
   */
  static fromJSON(value: unknown, source = "label encoder"): MultiClassEncoder {
    return new MultiClassEncoder(parseLabelEncoderJson(value, source, "multi-class").classes);
  }

  /**
   * @param reader the model's files
   * @param name the file written by `save`
   * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not a multi-class encoder
   */
  static async load(reader: ArtifactReader, name: string): Promise<MultiClassEncoder> {
    return MultiClassEncoder.fromJSON(await reader.json(name), reader.where(name));
  }
}

/**
 * Load a saved label encoder of either kind.
 * @param reader the run's files
 * @param name the file written by an encoder's `save`
 * @returns a `MultiLabelEncoder` or a `MultiClassEncoder`, as the file's `type` says
 * @throws TagifaiError INVALID_ARTIFACTS when it cannot be read or is not a valid encoder
 */
export async function loadLabelEncoder(
  reader: ArtifactReader,
  name: string,
): Promise<MultiLabelEncoder | MultiClassEncoder> {
  const { type, classes } = parseLabelEncoderJson(await reader.json(name), reader.where(name));
  return type === "multi-label" ? new MultiLabelEncoder(classes) : new MultiClassEncoder(classes);
}

function parseLabelEncoderJson(value: unknown, source: string, expectedType?: EncoderType): LabelEncoderJson {
  const parsed = parseWith(labelEncoderJsonSchema, value, {
    code: "INVALID_ARTIFACTS",
    what: `label encoder in ${source}`,
  });
  if (expectedType && parsed.type !== expectedType)
    throw new TagifaiError(
      "INVALID_ARTIFACTS",
      `${source} holds a ${parsed.type} label encoder, expected ${expectedType}`,
    );
  return parsed;
}

/** A label encoder of either kind. */
export type AnyLabelEncoder = MultiLabelEncoder | MultiClassEncoder;

/**
 * Encode each sample's labels as a 0/1 row with one column per class, for either kind of encoder
 * (a multi-class sample's row is one-hot).
 * @param encoder a fitted encoder
 * @param labels each sample's labels (exactly one for a multi-class encoder)
 * @returns one 0/1 row per sample
 * @throws TagifaiError INVALID_INPUT for an unknown label, or a multi-class sample without exactly one label
 */
export function encodeIndicators(
  encoder: AnyLabelEncoder,
  labels: readonly (readonly string[])[],
): number[][] {
  if (encoder instanceof MultiLabelEncoder) return encoder.encode(labels);
  const bad = labels.findIndex((sampleLabels) => sampleLabels.length !== 1);
  if (bad >= 0)
    throw new TagifaiError(
      "INVALID_INPUT",
      `Sample ${bad} has ${labels[bad].length} labels; a multi-class sample has one`,
    );
  return encoder.encode(labels.map((sampleLabels) => sampleLabels[0])).map((index) => {
    const row = new Array<number>(encoder.classes.length).fill(0);
    row[index] = 1;
    return row;
  });
}
