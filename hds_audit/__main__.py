from hds_audit.cli import main

main()
