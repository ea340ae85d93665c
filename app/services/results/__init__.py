"""Results: count a closed round, publish it with its election record, receipts, and dropping a winner."""
