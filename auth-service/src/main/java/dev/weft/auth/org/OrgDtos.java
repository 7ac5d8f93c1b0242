package dev.weft.auth.org;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.time.Instant;

/** Request and response bodies of /v1/orgs. */
public final class OrgDtos {
    private OrgDtos() {
    }

    public record CreateOrg(@NotBlank @Size(max = 200) String name, @NotNull Plan plan) {
    }

    public record OrgView(String id, String name, Plan plan, Plan.Limits limits, Instant createdAt) {
        public static OrgView of(Organization org) {
            return new OrgView(org.publicId(), org.name, org.plan, org.plan.limits(), org.createdAt);
        }
    }
}
