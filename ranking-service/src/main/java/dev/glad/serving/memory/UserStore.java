package dev.glad.serving.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The users' latest memories in a local RocksDB (key user id, value {@link StoredUserMemory}): the
 * store scales past the heap, and only the users a request asks for are read.
 *
 * <p>The store is a cache of the compacted topic, rebuilt at every start: {@link #open} empties it
 * (only RocksDB's own files are removed). Writes come from one thread (the materializer); reads
 * from any. The write-ahead log is off: a crash loses nothing the topic does not still hold.
 *
 * <p>RocksDB comes from {@code com.ververica:frocksdbjni}, the build Flink's state backend ships,
 * so the service and a Flink job can share one JVM (the demo, the integration tests): two JNI
 * builds of {@code org.rocksdb} on one classpath would clash.
 */
public final class UserStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Path directory;
  private final boolean temporary;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  private UserStore(Path directory, boolean temporary) {
    this.directory = directory;
    this.temporary = temporary;
    this.options =
        new Options()
            .setCreateIfMissing(true)
            .setCompressionType(CompressionType.LZ4_COMPRESSION)
            .setMaxOpenFiles(256);
    this.writeOptions = new WriteOptions().setDisableWAL(true);
    try {
      RocksDB.destroyDB(directory.toString(), options);
      Files.createDirectories(directory);
      this.db = RocksDB.open(options, directory.toString());
    } catch (RocksDBException | IOException e) {
      options.close();
      writeOptions.close();
      throw new IllegalStateException("cannot open the user store in " + directory, e);
    }
  }

  /**
   * Opens an empty store in {@code directoryOrNull}, or in a temporary directory (removed by {@link
   * #close()}) when it is null.
   */
  public static UserStore open(Path directoryOrNull) {
    if (directoryOrNull != null) {
      return new UserStore(directoryOrNull.toAbsolutePath(), false);
    }
    try {
      return new UserStore(Files.createTempDirectory("glad-ranking-users-"), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary user store", e);
    }
  }

  public Path directory() {
    return directory;
  }

  /** The stored memory of a user. */
  public Optional<StoredUserMemory> get(String userId) {
    try {
      byte[] bytes = db.get(key(userId));
      return bytes == null ? Optional.empty() : Optional.of(StoredUserMemory.decode(bytes));
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot read user " + userId + " from the store", e);
    }
  }

  /**
   * Applies a record read from the topic by {@link UserRecordRule}.
   *
   * @return what the rule decided
   */
  public UserRecordRule.Decision apply(String servedVersion, String userId, StoredUserMemory in) {
    UserRecordRule.Decision d = UserRecordRule.decide(servedVersion, get(userId).orElse(null), in);
    if (d == UserRecordRule.Decision.STORE) {
      try {
        db.put(writeOptions, key(userId), in.encode());
      } catch (RocksDBException e) {
        throw new IllegalStateException("cannot write user " + userId + " to the store", e);
      }
    }
    return d;
  }

  /** Forgets a user (a tombstone on the topic: the user was erased). */
  public void delete(String userId) {
    try {
      db.delete(writeOptions, key(userId));
    } catch (RocksDBException e) {
      throw new IllegalStateException("cannot delete user " + userId + " from the store", e);
    }
  }

  /** RocksDB's estimate of the number of users held. */
  public long estimatedUsers() {
    try {
      return db.getLongProperty("rocksdb.estimate-num-keys");
    } catch (RocksDBException e) {
      return -1;
    }
  }

  private static byte[] key(String userId) {
    return userId.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    db.close();
    writeOptions.close();
    options.close();
    if (temporary) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is harmless
      }
    }
  }
}
