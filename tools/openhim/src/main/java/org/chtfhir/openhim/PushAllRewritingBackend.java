package org.chtfhir.openhim;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.Channel;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A MongoBackend that hands everything to another one, after rewriting the
 * update operator `$pushAll` (removed in MongoDB 3.6, refused by
 * mongo-java-server, still sent by mongoose 4 which openhim-core 4.0.5 uses)
 * into its replacement `$push: {field: {$each: [...]}}`.
 *
 * Commands reach a backend as OP_QUERY on `db.$cmd` (handleQuery), OP_MSG
 * (handleMessage) or directly (handleCommand); each document is rewritten in
 * place before it is passed on. Field names starting with `$` cannot be
 * stored, so any `$pushAll` key found anywhere in a command is the operator.
 */
final class PushAllRewritingBackend implements MongoBackend {
  private final MongoBackend inner;
  volatile long rewrites;

  PushAllRewritingBackend(MongoBackend inner) {
    this.inner = inner;
  }

  /** Rewrites every `$pushAll` in a document tree; returns how many it rewrote. */
  static int rewrite(Object value) {
    int n = 0;
    if (value instanceof Document doc) {
      Object pushAll = doc.remove("$pushAll");
      if (pushAll instanceof Document fields) {
        n++;
        Object existing = doc.get("$push");
        Document push = existing instanceof Document d ? d : new Document();
        for (Map.Entry<String, Object> e : fields.entrySet()) push.put(e.getKey(), new Document("$each", e.getValue()));
        doc.put("$push", push);
      } else if (pushAll != null) {
        doc.put("$pushAll", pushAll); // not an operator document: leave it for the server to refuse
      }
      for (Object v : doc.values()) n += rewrite(v);
    } else if (value instanceof List<?> list) {
      for (Object v : list) n += rewrite(v);
    }
    return n;
  }

  private void count(Object value) {
    int n = rewrite(value);
    if (n > 0) rewrites += n;
  }

  @Override
  public Document handleCommand(Channel channel, String database, String command, Document query) {
    count(query);
    return inner.handleCommand(channel, database, command, query);
  }

  @Override
  public QueryResult handleQuery(MongoQuery query) {
    count(query.getQuery());
    return inner.handleQuery(query);
  }

  @Override
  public Document handleMessage(MongoMessage message) {
    count(message.getDocument());
    return inner.handleMessage(message);
  }

  @Override
  public void handleClose(Channel channel) {
    inner.handleClose(channel);
  }

  @Override
  public void dropDatabase(String database) {
    inner.dropDatabase(database);
  }

  @Override
  public Collection<Document> getCurrentOperations(MongoQuery query) {
    return inner.getCurrentOperations(query);
  }

  @Override
  public Document getServerStatus() {
    return inner.getServerStatus();
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public void closeCursors(List<Long> cursorIds) {
    inner.closeCursors(cursorIds);
  }

  @Override
  public Clock getClock() {
    return inner.getClock();
  }

  @Override
  public void enableOplog() {
    inner.enableOplog();
  }

  @Override
  public void disableOplog() {
    inner.disableOplog();
  }

  @Override
  public MongoDatabase resolveDatabase(String database) {
    return inner.resolveDatabase(database);
  }

  @Override
  public MongoBackend version(MongoVersion version) {
    inner.version(version);
    return this;
  }
}
