"""Tests of the sweep runner, its results and exports."""
