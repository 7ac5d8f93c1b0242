package dev.weft.auth.org;

import dev.weft.platform.error.ApiException;
import dev.weft.platform.id.Ids;
import dev.weft.platform.pagination.CursorCodec;
import dev.weft.platform.pagination.Keyset;
import dev.weft.platform.pagination.Page;
import dev.weft.platform.pagination.PageRequest;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.util.UUID;

/** Organizations (tenants) and their plans. Who may call what is decided by {@link OrgResource}. */
@ApplicationScoped
public class OrgService {
    private final CursorCodec cursors;

    public OrgService(CursorCodec cursors) {
        this.cursors = cursors;
    }

    @Transactional
    public OrgDtos.OrgView create(OrgDtos.CreateOrg request) {
        Organization org = new Organization();
        org.name = request.name().trim();
        org.plan = request.plan();
        org.persist();
        Log.infof("event=org_created org_id=%s plan=%s", org.publicId(), org.plan.wireName());
        return OrgDtos.OrgView.of(org);
    }

    public OrgDtos.OrgView get(String orgId) {
        return OrgDtos.OrgView.of(require(orgId));
    }

    public Organization require(String orgId) {
        UUID id = Ids.require(Organization.ID_PREFIX, orgId, "organization");
        Organization org = Organization.findById(id);
        if (org == null) {
            throw ApiException.notFound("organization");
        }
        return org;
    }

    public Page<OrgDtos.OrgView> list(String limit, String cursor) {
        PageRequest page = PageRequest.of(limit, cursor, cursors);
        return Keyset.of(Organization.class).page(page, OrgDtos.OrgView::of, cursors);
    }
}
