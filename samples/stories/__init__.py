"""The stories of the three sample tenants (samples/README.md), written through hds_audit.bundle_writer."""
