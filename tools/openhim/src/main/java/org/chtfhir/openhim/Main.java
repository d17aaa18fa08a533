package org.chtfhir.openhim;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * An in-memory MongoDB for openhim-core (tools/openhim/launch.js starts it).
 * Options: --port=0 (any free port) --host=127.0.0.1. Prints
 * "mongo listening on port N" on stdout when it accepts connections; stops on
 * SIGTERM or when its standard input closes (its parent died).
 *
 * One worker thread: the memory backend's collections are not safe under
 * concurrent find and update from several connections (seen with
 * openhim-core's transaction updates: lost or half-applied writes).
 */
public final class Main {
  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
    int port = 0;
    String host = "127.0.0.1";
    for (String a : args) {
      if (a.startsWith("--port=")) port = Integer.parseInt(a.substring(7));
      else if (a.startsWith("--host=")) host = a.substring(7);
      else throw new IllegalArgumentException("unknown option " + a + " (use --port=N --host=ADDRESS)");
    }
    PushAllRewritingBackend backend = new PushAllRewritingBackend(new MemoryBackend());
    MongoServer server = new MongoServer(backend);
    server.bind(new InetSocketAddress(host, port), 1, 1);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("mongo listening on port " + server.getLocalAddress().getPort());
    System.out.flush();
    // Parent gone (stdin closed): stop, so no orphan keeps the port.
    while (System.in.read() >= 0) {
      // ignore input
    }
    System.err.println("mongo: stdin closed, " + backend.rewrites + " $pushAll rewritten; stopping");
    System.exit(0);
  }
}
