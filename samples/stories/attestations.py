"""The organisational rules the samples attest, as the matrix words them, with each document's title and statement."""

# (control as the matrix writes the rule, file slug, document title, statement)
ATTESTATIONS = [
    ("Presentation of the services to the people concerned", "patient-information",
     "Patient information notice on the hosting of health data",
     "Patients are told, in the admission booklet and on the public website, that their health data are hosted "
     "by a certified HDS host in France, how to access them and how to object for a legitimate reason."),
    ("Individuals' consent to access data", "access-consent",
     "Consent and opposition to access to health data",
     "Access by staff, health professionals and patients to business applications holding health data is "
     "granted only under the documented consent and opposition procedure."),
    ("Rights of individuals under the GDPR", "gdpr-rights",
     "Procedure for requests of data subjects (GDPR articles 15 to 22)",
     "Requests of access, rectification, erasure, restriction, portability and objection are registered and "
     "answered within one month by the data protection officer."),
    ("Notification in case of disclosure of personal data", "disclosure-notification",
     "Notification procedure in case of disclosure of personal data",
     "Any disclosure of personal data, including on a judicial request relayed by the host, is notified to "
     "the persons concerned and to the management following the documented procedure."),
    ("Purpose", "processing-purpose",
     "Register of processing activities: purposes",
     "Health data are processed only for the purposes listed in the register of processing activities and "
     "stated in the patients' information notice."),
    ("Identifiers and authorizations", "identifiers-authorizations",
     "Identification and authorisation in the hosted applications",
     "Access to the hosted applications uses nominative accounts bound to the directory; authorisations are "
     "reviewed every quarter and identifiers are never reassigned."),
    ("Stakeholder access to systems", "stakeholder-access",
     "Stakeholder access to operating systems and applications",
     "Operators reach operating systems only through the bastion with nominative accounts and a second factor; "
     "vendor access is opened per ticket and closed when the ticket is resolved."),
    ("Encryption of personal data transmitted over public networks", "transport-encryption",
     "Encryption of health data over public networks",
     "Health data leave the hosted environment only over TLS 1.2 or later, or over the site-to-site VPN."),
    ("Traceability and integrity of communications", "communications-traceability",
     "Logging and integrity of health data transfers to third parties",
     "Every transfer of health data to a third party is logged by the interface engine with an acknowledgement "
     "of receipt and a checksum of the message."),
    ("Trace management", "trace-management",
     "Trace management policy",
     "System, application and Cloud Trace Service traces are collected, kept at least one year and reviewed "
     "every week by the security team."),
    ("Entitlements required for access to application traces", "trace-entitlements",
     "Authorisations to read the traces archives",
     "Only the persons holding the trace_reader or auditor role in the register may read the traces archives; "
     "the list is reviewed every quarter."),
    ("Perimeter related to health data access monitoring", "access-monitoring-perimeter",
     "Scope of the monitoring of access to health data",
     "The monitoring covers the business applications, their databases, the operating systems and the "
     "security components that the organisation installs and operates."),
    ("Alert and escalation procedures", "alert-escalation",
     "Security incident alert and escalation procedure",
     "Security events detected on the virtual infrastructure are qualified by the on-call engineer and "
     "escalated to the security officer within one hour when they are confirmed."),
    ("Data breach notification", "data-breach-notification",
     "Personal data breach notification procedure (GDPR articles 33 and 34)",
     "Personal data breaches are notified to the supervisory authority within 72 hours and to the persons "
     "concerned when the risk is high; the breach register is kept by the data protection officer."),
    ("Incident classification", "incident-classification",
     "Classification of security incidents",
     "Incidents on the virtualised environment are classified in four levels of severity aligned with the "
     "provider's P1 to P4 priorities."),
    ("Backup of traces", "trace-backup",
     "Backup and archiving policy for access traces",
     "Access traces of the virtualised environment are archived in an encrypted bucket, replicated, and "
     "kept for at least one year."),
    ("Continuity and availability of services", "business-continuity",
     "Business continuity plan for the virtualised environment",
     "The continuity plan covers the cloud servers, operating systems and storage; backups run twice a day "
     "and a restore is tested at least once a year."),
    ("Change management process for applications", "change-management",
     "Change management process for application components",
     "Changes to the virtualised environment go through the change advisory board, with a rollback plan "
     "and a backup taken before the change."),
    ("PGSSI-S compliance", "pgssi-s",
     "Commitment to comply with the PGSSI-S",
     "The organisation complies with the general security policy for health information systems (PGSSI-S) "
     "and its interoperability and security frameworks."),
    ("Monitoring Policy", "monitoring-policy",
     "Monitoring policy for access by application users",
     "Access by application users, including health professionals and patients, is logged and reviewed "
     "for unusual patterns every month."),
    ("Business application access authorization policy", "application-access-policy",
     "Business application access authorisation policy",
     "Access rights to business applications are granted by the data owner on a documented request and "
     "withdrawn on departure or change of position."),
    ("Workstation safety", "workstation-safety",
     "Workstation security policy",
     "Operators' workstations are managed, encrypted, locked after five minutes of inactivity, and use "
     "individual passwords and hardware tokens."),
]
