package dev.glad.schemas.kafka;

import dev.glad.schemas.DeadLetterReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * The wire format of every GLAD topic: Avro single-object encoding (marker {@code C3 01}, the
 * 8-byte CRC-64-AVRO fingerprint of the writer schema, then Avro binary).
 *
 * <p>The fingerprint lets a reader tell a foreign record (another type, or a schema version it was
 * never told about) from a corrupt one and say which it is. Every earlier version of the schema
 * that is kept under {@code schema-history/<Type>/} on the classpath is registered with the
 * decoder, so records written by older producers are read through Avro schema resolution.
 *
 * <p>Instances are immutable and thread-safe (Avro's message encoder and decoder are).
 */
public final class AvroWireFormat<T extends SpecificRecord> {
  /** The two marker bytes that open every single-object encoded record. */
  static final byte[] MARKER = {(byte) 0xC3, (byte) 0x01};

  private static final int HEADER_LENGTH = 10;

  private final Class<T> type;
  private final Schema schema;
  private final List<Schema> knownWriterSchemas;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;

  private AvroWireFormat(Class<T> type, List<Schema> history) {
    this.type = type;
    this.schema = SpecificData.get().getSchema(type);
    SpecificData model = new SpecificData(type.getClassLoader());
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.decoder = new BinaryMessageDecoder<>(model, schema);
    List<Schema> known = new ArrayList<>();
    known.add(schema);
    for (Schema historical : history) {
      if (SchemaNormalization.parsingFingerprint64(historical)
          != SchemaNormalization.parsingFingerprint64(schema)) {
        decoder.addSchema(historical);
        known.add(historical);
      }
    }
    this.knownWriterSchemas = Collections.unmodifiableList(known);
  }

  /** The wire format of a generated Avro class. */
  public static <T extends SpecificRecord> AvroWireFormat<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return of(type, SchemaHistory.versionsOf(type.getSimpleName()));
  }

  /** A wire format that also reads the given earlier writer schemas (tests use this directly). */
  static <T extends SpecificRecord> AvroWireFormat<T> of(Class<T> type, List<Schema> history) {
    return new AvroWireFormat<>(type, List.copyOf(history));
  }

  public Class<T> type() {
    return type;
  }

  /** The reader (current) schema. */
  public Schema schema() {
    return schema;
  }

  /** Writer schemas this format can read: the current one first, then historical versions. */
  public List<Schema> knownWriterSchemas() {
    return knownWriterSchemas;
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + schema.getName(), e);
    }
  }

  /**
   * Decodes one record, or says precisely why it cannot.
   *
   * @throws DecodingException with {@link DeadLetterReason#TOMBSTONE} for a null value, {@link
   *     DeadLetterReason#EMPTY_VALUE} for zero bytes, {@link DeadLetterReason#TRUNCATED} for a
   *     record cut short, {@link DeadLetterReason#UNDECODABLE} for bytes that are not a
   *     single-object encoded Avro record or whose body is corrupt, and {@link
   *     DeadLetterReason#FOREIGN_SCHEMA} for a well-formed record whose schema is not a known
   *     version of this type
   */
  public T decode(byte[] bytes) throws DecodingException {
    if (bytes == null) {
      throw new DecodingException(
          DeadLetterReason.TOMBSTONE,
          "a tombstone (null value) where a " + schema.getName() + " was expected");
    }
    if (bytes.length == 0) {
      throw new DecodingException(
          DeadLetterReason.EMPTY_VALUE,
          "an empty value where a " + schema.getName() + " was expected");
    }
    boolean marker = bytes.length >= 2 && bytes[0] == MARKER[0] && bytes[1] == MARKER[1];
    if (marker && bytes.length < HEADER_LENGTH) {
      throw new DecodingException(
          DeadLetterReason.TRUNCATED,
          "the single-object header ends after "
              + bytes.length
              + " of "
              + HEADER_LENGTH
              + " bytes (C3 01 + 8-byte fingerprint)");
    }
    if (!marker) {
      throw new DecodingException(
          DeadLetterReason.UNDECODABLE,
          "not an Avro single-object record (expected header C3 01 + 8-byte fingerprint), got "
              + bytes.length
              + " bytes starting "
              + HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 10)));
    }
    try {
      return decoder.decode(bytes);
    } catch (MissingSchemaException e) {
      throw new DecodingException(
          DeadLetterReason.FOREIGN_SCHEMA,
          "writer schema fingerprint "
              + HexFormat.of().formatHex(bytes, 2, HEADER_LENGTH)
              + " is not a known version of "
              + schema.getFullName()
              + " (known: "
              + knownFingerprints()
              + ")",
          e);
    } catch (BadHeaderException e) {
      throw new DecodingException(
          DeadLetterReason.UNDECODABLE, "bad single-object header: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (endsEarly(e)) {
        // the body ends before the record does: a record cut short on its way
        throw new DecodingException(
            DeadLetterReason.TRUNCATED,
            schema.getName()
                + " body ends early ("
                + (bytes.length - HEADER_LENGTH)
                + " body bytes)",
            e);
      }
      // Avro reports garbled bodies as AvroRuntimeException, ArrayIndexOutOfBounds or
      // NegativeArraySize depending on where the damage is.
      throw new DecodingException(
          DeadLetterReason.UNDECODABLE,
          "corrupt "
              + schema.getName()
              + " body: "
              + e.getClass().getSimpleName()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Whether decoding failed because the bytes ran out (Avro wraps the EOFException). */
  private static boolean endsEarly(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.EOFException) {
        return true;
      }
    }
    return false;
  }

  /** The fingerprint bytes (big-endian hex, as on the wire) of a schema. */
  public static String fingerprintHex(Schema schema) {
    long fp = SchemaNormalization.parsingFingerprint64(schema);
    // single-object encoding writes the fingerprint little-endian
    byte[] le = new byte[8];
    for (int i = 0; i < 8; i++) {
      le[i] = (byte) (fp >>> (8 * i));
    }
    return HexFormat.of().formatHex(le);
  }

  private String knownFingerprints() {
    List<String> fps = new ArrayList<>();
    for (Schema s : knownWriterSchemas) {
      fps.add(fingerprintHex(s));
    }
    return String.join(", ", fps);
  }

  static InputStream historyStream(String path) {
    return AvroWireFormat.class.getClassLoader().getResourceAsStream(path);
  }
}
