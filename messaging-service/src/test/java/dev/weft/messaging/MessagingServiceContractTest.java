package dev.weft.messaging;

import dev.weft.testing.ServiceContractTest;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** messaging-service starts on real PostgreSQL and Kafka and keeps the platform's HTTP contract. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class MessagingServiceContractTest extends ServiceContractTest {
    MessagingServiceContractTest() {
        super("messaging");
    }
}
