"""torchrun (torch.distributed.run) for Debian 12's python3-torch 1.13 on Python 3.11.

That torch's launcher reads --redirects / --tee with Std.from_str, which looks the value up by iterating the
IntFlag Std; since Python 3.11 iteration skips the zero member NONE, so the default "0" becomes None and the
launcher stops with "'NoneType' object has no attribute 'get'". This starts torchrun's own main() with that one
lookup done by value (Std(int)); everything else is torchrun unchanged. Newer torch releases do not need it.
    python scripts/torchrun_compat.py --nproc_per_node=2 train.py --data ...
"""
import re
import sys

from torch.distributed.elastic.multiprocessing import api


def std_from_str(value):
    if re.fullmatch(r'[0123]', value):
        return api.Std(int(value))
    return {int(rank): api.Std(int(std)) for rank, std in (item.split(':') for item in value.split(','))}


if __name__ == '__main__':
    api.Std.from_str = staticmethod(std_from_str)
    from torch.distributed.run import main

    sys.argv[0] = 'torchrun'
    main()
