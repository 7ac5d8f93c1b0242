package dev.weft.auth;

import dev.weft.testing.ServiceContractTest;
import dev.weft.testing.WeftInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** auth-service starts on real PostgreSQL and Kafka and keeps the platform's HTTP contract. */
@QuarkusTest
@QuarkusTestResource(value = WeftInfraResource.class, restrictToAnnotatedClass = false)
class AuthServiceContractTest extends ServiceContractTest {
    AuthServiceContractTest() {
        super("auth");
    }
}
