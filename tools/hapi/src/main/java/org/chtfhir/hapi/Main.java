package org.chtfhir.hapi;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * HAPI FHIR JPA server, R4, at http://host:port/fhir. Start-up order: Spring
 * context (database schema, HAPI's DAOs), then the REST servlet in Jetty.
 * Prints "hapi listening on port N" once Jetty is bound; the FHIR API is
 * ready when /fhir/metadata answers.
 */
public final class Main {
	public static void main(String[] args) throws Exception {
		long started = System.currentTimeMillis();
		Settings settings = Settings.parse(args, System.getenv());
		JpaServerConfig.settings = settings;
		AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(JpaServerConfig.class);

		IFhirSystemDao<?, ?> systemDao = context.getBean(IFhirSystemDao.class);
		RestfulServer fhir = new RestfulServer(systemDao.getContext());
		fhir.registerProviders(context.getBean(ResourceProviderFactory.class).createProviders());
		fhir.registerProvider(context.getBean(JpaSystemProvider.class));
		fhir.setServerConformanceProvider(new JpaCapabilityStatementProvider(
				fhir,
				systemDao,
				context.getBean(JpaStorageSettings.class),
				context.getBean(ISearchParamRegistry.class),
				context.getBean(IValidationSupport.class)));
		fhir.setPagingProvider(context.getBean(DatabaseBackedPagingProvider.class));

		Server jetty = new Server();
		ServerConnector connector = new ServerConnector(jetty);
		connector.setHost(settings.host);
		connector.setPort(settings.port);
		jetty.addConnector(connector);
		ServletContextHandler handler = new ServletContextHandler();
		handler.setContextPath("/");
		ServletHolder holder = new ServletHolder(fhir);
		holder.setInitOrder(1); // initialise at start, not on the first request
		handler.addServlet(holder, "/fhir/*");
		jetty.setHandler(handler);
		jetty.setStopAtShutdown(true);
		Runtime.getRuntime().addShutdownHook(new Thread(context::close));
		jetty.start();
		System.out.println(String.format("hapi listening on port %d (database %s, referential integrity on write %s) after %d ms",
				connector.getLocalPort(), settings.database, settings.enforceReferentialIntegrityOnWrite,
				System.currentTimeMillis() - started));
		jetty.join();
	}
}
