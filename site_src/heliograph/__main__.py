from heliograph.cli import main

raise SystemExit(main())
