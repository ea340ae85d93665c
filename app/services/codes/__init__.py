"""Letter codes (stemcodes): batches of codes and printable letters, re-issue and desk codes, voting with one."""
