package io.dedup.examples.readme;

import io.dedup.http.ClientIdResolver;
import io.dedup.http.IdempotencyFilter;
import io.dedup.spi.DedupStore;
import jakarta.servlet.ServletContext;

/** The README's HTTP code block, compiled: ReadmeSnippetsTest checks that the README shows this code. */
final class HttpQuickStart {
    private HttpQuickStart() {}

    /** The README's HTTP snippet: the filter registered on a servlet context over a store. */
    static void quickStart(DedupStore store, ServletContext servletContext) {
        // README: HTTP quick start
        IdempotencyFilter filter = IdempotencyFilter.builder(store) // the store instance your consumers use
                .clientIdResolver(ClientIdResolver.principal()) // keys are scoped per client
                .pathPatterns("/payments/*") // POST and PATCH there need Idempotency-Key
                .build();
        servletContext.addFilter("idempotency", filter).addMappingForUrlPatterns(null, false, "/*");
        // end
    }
}
