"""``python -m sim``: the ``multilat`` command (:mod:`sim.entry`)."""

from sim.entry import main

if __name__ == "__main__":
    main()
