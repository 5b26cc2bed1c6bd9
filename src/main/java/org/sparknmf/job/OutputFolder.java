package org.sparknmf.job;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The job's output folder, written as a hidden temporary sibling and renamed into place only when
 * complete, on any Hadoop file system: a failed or killed job leaves the old output or none, never
 * a mix. {@link #close} without {@link #commit} removes the temporary folder.
 */
final class OutputFolder implements AutoCloseable {

  private static final String SCRATCH = "_scratch";

  private final FileSystem fs;
  private final Path target;
  private final Path temp;
  private final boolean overwrite;
  private boolean committed;

  private OutputFolder(FileSystem fs, Path target, Path temp, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.temp = temp;
    this.overwrite = overwrite;
  }

  /**
   * Checks {@code dir} (refused if it exists without {@code overwrite}, or lies inside the input)
   * and creates the temporary sibling.
   */
  static OutputFolder open(Configuration conf, String dir, boolean overwrite, String input) {
    try {
      Path path = new Path(dir);
      FileSystem fs;
      Path target;
      try {
        fs = path.getFileSystem(conf);
        target = fs.makeQualified(path);
        InputReader.checkReachable(target, conf); // an unreachable file system fails here, at once
      } catch (IllegalArgumentException e) { // Hadoop's way to say a host is unknown
        throw new IllegalArgumentException("--output " + dir + ": " + InputReader.firstLine(e));
      }
      if (input != null) {
        Path in = new Path(input);
        Path source;
        try {
          source = in.getFileSystem(conf).makeQualified(in);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--input " + input + ": " + InputReader.firstLine(e));
        }
        if (isWithin(target, source) || isWithin(source, target)) {
          throw new IllegalArgumentException("--output " + dir + ": must not be inside the input " + input
              + " or contain it");
        }
      }
      if (fs.exists(target) && !overwrite) {
        throw new IllegalArgumentException("--output " + dir + ": already exists (pass --overwrite to replace it)");
      }
      Path parent = target.getParent();
      if (parent != null && fs.exists(parent) && !fs.getFileStatus(parent).isDirectory()) {
        throw new IllegalArgumentException("--output " + dir + ": " + parent + " is not a folder");
      }
      Path temp = new Path(parent, "." + target.getName() + ".tmp-" + UUID.randomUUID());
      if (!fs.mkdirs(temp)) {
        throw new IllegalArgumentException("--output " + dir + ": cannot create " + temp);
      }
      return new OutputFolder(fs, target, temp, overwrite);
    } catch (IOException e) {
      throw new IllegalArgumentException("--output " + dir + ": " + InputReader.firstLine(e));
    }
  }

  private static boolean isWithin(Path inner, Path outer) {
    for (Path p = inner; p != null; p = p.getParent()) {
      if (p.equals(outer)) {
        return true;
      }
    }
    return false;
  }

  /** Where a file or folder named {@code name} is written before the commit. */
  String pathOf(String name) {
    return new Path(temp, name).toString();
  }

  /**
   * A folder for intermediate files on the output's file system (which a cluster's executors can
   * reach), removed before the commit and with the temporary folder.
   */
  String scratch() {
    return new Path(temp, SCRATCH).toString();
  }

  /** A new file in the temporary folder. */
  OutputStream create(String name) {
    try {
      // On the local file system, skip the hidden .crc files Hadoop's checksumming adds.
      FileSystem target = fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
      return target.create(new Path(temp, name), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The final location as a user would type it (a plain path on the local file system). */
  String target() {
    return fs instanceof LocalFileSystem ? target.toUri().getPath() : target.toString();
  }

  /**
   * Moves the complete output into place. An existing folder (with overwrite) is first renamed
   * aside and deleted only after the new one is in place.
   */
  void commit() throws IOException {
    fs.delete(new Path(temp, SCRATCH), true);
    Path old = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new IOException(target + " appeared while the job ran; the results stay in " + temp);
      }
      old = new Path(target.getParent(), "." + target.getName() + ".old-" + UUID.randomUUID());
      if (!fs.rename(target, old)) {
        throw new IOException("cannot move the old " + target + " aside");
      }
    }
    if (!fs.rename(temp, target)) {
      if (old != null) {
        fs.rename(old, target);
      }
      throw new IOException("cannot rename " + temp + " to " + target);
    }
    committed = true;
    if (old != null) {
      fs.delete(old, true);
    }
  }

  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(temp, true);
      } catch (IOException e) {
        // Nothing more can be done; the folder is hidden and named as temporary.
      }
    }
  }
}
