"""What a run did and whether its output holds: report, ledger, check, explain, HTML report, --fail-if."""
