"""What the provider's Service Description fixes as reference data: regions and their countries
(§3.2, §6.11.1), support plans and their response-time objectives (§3.3, §7.3.1). The tables
themselves are data in controls/; these modules read and check them."""
