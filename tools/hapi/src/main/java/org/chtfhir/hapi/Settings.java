package org.chtfhir.hapi;

import java.util.Map;

/**
 * What this launcher lets you change, from the command line ({@code --name=value})
 * or the environment (the hapi-fhir-jpaserver-starter spelling, so a setting
 * found here carries over to a real deployment as is). Everything else is
 * HAPI's own default.
 */
public final class Settings {
	/** Loopback only unless told otherwise. */
	public final String host;
	/** 0 picks a free port; the chosen one is printed as "hapi listening on port N". */
	public final int port;
	/** "mem" (lost on exit) or a file path prefix for H2 on disk (survives a kill and restart). */
	public final String database;
	/** HAPI default true; hapi-fhir-jpaserver-starter: hapi.fhir.enforce_referential_integrity_on_write. */
	public final boolean enforceReferentialIntegrityOnWrite;

	private Settings(String host, int port, String database, boolean integrity) {
		this.host = host;
		this.port = port;
		this.database = database;
		this.enforceReferentialIntegrityOnWrite = integrity;
	}

	public static Settings parse(String[] args, Map<String, String> env) {
		String host = env.getOrDefault("HAPI_HOST", "127.0.0.1");
		int port = Integer.parseInt(env.getOrDefault("HAPI_PORT", "8080"));
		String database = env.getOrDefault("HAPI_DATABASE", "mem");
		boolean integrity = !"false".equals(env.get("HAPI_FHIR_ENFORCE_REFERENTIAL_INTEGRITY_ON_WRITE"));
		for (String arg : args) {
			String[] kv = arg.replaceFirst("^--", "").split("=", 2);
			String value = kv.length == 2 ? kv[1] : "true";
			switch (kv[0]) {
				case "host" -> host = value;
				case "port" -> port = Integer.parseInt(value);
				case "database" -> database = value;
				case "enforce-referential-integrity-on-write" -> integrity = !"false".equals(value);
				default -> throw new IllegalArgumentException("unknown option " + arg
						+ " (known: --host, --port, --database=mem|<path>, --enforce-referential-integrity-on-write=true|false)");
			}
		}
		return new Settings(host, port, database, integrity);
	}

	public String jdbcUrl() {
		// DB_CLOSE_DELAY=-1: the in-memory database lives as long as the JVM, not the first connection.
		// WRITE_DELAY=0: on disk, a commit is written before HAPI answers, so a killed HAPI loses
		// nothing it acknowledged (H2 defaults to 500 ms; PostgreSQL, what deployments run, to none).
		return "mem".equals(database) ? "jdbc:h2:mem:hapi;DB_CLOSE_DELAY=-1" : "jdbc:h2:file:" + database + ";WRITE_DELAY=0";
	}
}
