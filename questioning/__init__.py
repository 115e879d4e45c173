"""Questioning (chất vấn): question forms, question groups, written answers, and the commitments
(lời hứa) the answers produce, tracked in public until done."""
